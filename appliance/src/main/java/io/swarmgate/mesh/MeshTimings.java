package io.swarmgate.mesh;

import java.time.Duration;

/**
 * Appliance-wide timings of the coordinator (not per stream: they protect the appliance, not a
 * policy choice).
 *
 * @param resumeGrace      how long a dropped viewer keeps its peer id and neighbours
 * @param failingPairBlock how long a pair reported as failing is not matched again
 */
public record MeshTimings(Duration resumeGrace, Duration failingPairBlock) {

    public static final Duration DEFAULT_RESUME_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_FAILING_PAIR_BLOCK = Duration.ofSeconds(60);

    public MeshTimings {
        if (resumeGrace.isNegative() || failingPairBlock.isNegative()) {
            throw new IllegalArgumentException("mesh timings must not be negative");
        }
    }

    public static MeshTimings defaults() {
        return new MeshTimings(DEFAULT_RESUME_GRACE, DEFAULT_FAILING_PAIR_BLOCK);
    }
}
