package io.swarmgate.qoe;

/**
 * Derived QoE figures for one period and one slice (everything, a stream, a site, or one point of
 * a time series). Ratios and percentiles are {@code null} when their denominator is zero, so
 * "no data" is never shown as 0 %.
 *
 * @param viewers          average concurrent viewers over the period (live: viewers connected now)
 * @param peakViewers      the busiest minute's viewers; for hourly data the sum of each stream and
 *                         site's busiest minute (an upper bound); {@code null} where not computed
 * @param peerEfficiency   P2P bytes ÷ (HTTP + P2P bytes), 0..1
 * @param httpBitrateBps   HTTP bytes × 8 ÷ the period's seconds, summed over viewers
 * @param p2pBitrateBps    P2P bytes × 8 ÷ the period's seconds, summed over viewers
 * @param rebufferRatio    stall time ÷ watch time
 * @param startupP50Ms     median startup time, from the bucketed histogram (interpolated)
 * @param startupP95Ms     95th percentile startup time, likewise
 * @param startups         startup samples (first reports carrying {@code startupMs})
 * @param avgBitrateKbps   average rendition bitrate reported as playing
 * @param whyNotP2p        segments P2P did not deliver, by reason
 */
public record QoeFigures(double viewers, Long peakViewers, Double peerEfficiency, double httpBitrateBps,
                         double p2pBitrateBps, Double rebufferRatio, Double startupP50Ms, Double startupP95Ms,
                         long startups, Double avgBitrateKbps, WhyNotP2p whyNotP2p, long httpBytes, long p2pBytes,
                         long uploadedBytes, long stalls, long stallMs, long watchMs, long reports) {

    /** P2P failures by reason (docs/protocol.md, {@code report.failures}); {@code total} is their sum. */
    public record WhyNotP2p(long timeout, long integrity, long gone, long noHolder, long policy, long paused, long total) {
    }
}
