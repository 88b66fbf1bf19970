package io.swarmgate.qoe;

/**
 * One viewer's QoE counters since its previous report, as {@link QoeAggregator} sums them. QoE
 * does not read the signaling protocol: whoever receives reports (the signaling endpoint, wired in
 * {@code Appliance}) converts its wire message into this.
 *
 * @param startupMs   time to first frame, only in the first report of a playback; else null
 * @param bitrateKbps the bitrate of the level playing when the report was sent
 * @param failures    why P2P did not deliver, by reason; {@link Failures#NONE} when absent
 */
public record QoeReport(long httpBytes, long p2pBytes, long uploadedBytes, long stalls, long stallMs, long watchMs,
                        Long startupMs, long bitrateKbps, Failures failures) {

    public QoeReport {
        if (failures == null) {
            failures = Failures.NONE;
        }
    }

    /** P2P failures by reason since the previous report. */
    public record Failures(long timeout, long integrity, long gone, long noHolder, long policy, long paused) {
        public static final Failures NONE = new Failures(0, 0, 0, 0, 0, 0);
    }
}
