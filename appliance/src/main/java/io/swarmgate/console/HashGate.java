package io.swarmgate.console;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the Argon2id work of the appliance. Each hash allocates its whole memory cost (64 MiB by
 * default) for its duration, so unbounded parallel sign-ins exhaust the heap. At most
 * {@code permits} hashes run at once; up to {@code permits * QUEUE_PER_PERMIT} more callers wait,
 * at most {@link #MAX_WAIT}; anyone beyond that is refused at once with {@code too_many_attempts}
 * before any hashing memory is allocated. Nothing queues without bound.
 */
public final class HashGate {

    private static final Logger LOG = LoggerFactory.getLogger(HashGate.class);
    /** Callers allowed to wait per running hash. */
    public static final int QUEUE_PER_PERMIT = 4;
    /** Longest a waiting caller waits for its turn before it is refused. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(10);
    /** Share of the maximum heap the running hashes may take together when the count is derived. */
    static final int HEAP_SHARE_DIVISOR = 4;
    /** What a refused caller is told to wait, in seconds: a hash takes well under a second. */
    static final int RETRY_AFTER_SECONDS = 1;

    /** Work done while holding a permit. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException, AuthException;
    }

    private final Semaphore running;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();
    private final int permits;

    public HashGate(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1");
        }
        this.permits = permits;
        this.running = new Semaphore(permits, true);
        this.capacity = permits * (1 + QUEUE_PER_PERMIT);
    }

    /**
     * The number of concurrent hashes when {@code auth.max-concurrent-hashes} is 0: half the cores,
     * and no more than a quarter of the maximum heap divided by the memory cost of one hash; at
     * least 1.
     */
    public static int derivedPermits(int cores, long maxHeapBytes, int memoryKib) {
        long byHeap = maxHeapBytes / HEAP_SHARE_DIVISOR / (memoryKib * 1024L);
        return (int) Math.max(1, Math.min(cores / 2, byHeap));
    }

    /** The gate for the configured value ({@code 0}: derived from this machine and JVM). */
    public static HashGate forConfig(int configured, int memoryKib) {
        Runtime rt = Runtime.getRuntime();
        int derived = derivedPermits(rt.availableProcessors(), rt.maxMemory(), memoryKib);
        if (configured == 0) {
            LOG.info("hashing - at most {} Argon2id hashes at a time (auth.max-concurrent-hashes = 0: derived)", derived);
            return new HashGate(derived);
        }
        if ((long) configured * memoryKib * 1024L > rt.maxMemory() / 2) {
            LOG.warn("auth.max-concurrent-hashes - {} hashes of {} KiB may take more than half of the {} MiB heap",
                    configured, memoryKib, rt.maxMemory() >> 20);
        }
        return new HashGate(configured);
    }

    public int permits() {
        return permits;
    }

    /** Runs {@code work} holding a permit, or throws {@code too_many_attempts} (HTTP 429) when full. */
    public <T> T run(Work<T> work) throws SQLException, AuthException {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw busy();
        }
        try {
            if (!running.tryAcquire(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy();
            }
            try {
                return work.run();
            } finally {
                running.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        } finally {
            admitted.decrementAndGet();
        }
    }

    private static AuthException busy() {
        return new AuthException("too_many_attempts", null, "too many sign-in attempts at once; try again shortly",
                RETRY_AFTER_SECONDS);
    }
}
