package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeColumns.*;

/**
 * Mutable sums of rollup rows (doubles, because the live view weights the previous minute by the
 * part of it still inside the window), turned into {@link QoeFigures} for a period of known length.
 */
final class QoeSums {

    final double[] counters = new double[COUNT];
    /** Sum of viewers × minutes; divided by the period's minutes it is the average concurrency. */
    double viewerMinutes;
    /** Busiest minute's viewers, or -1 when unknown for this slice. */
    long peakViewers = -1;

    void add(long[] values, double weight) {
        for (int i = 0; i < COUNT; i++) {
            counters[i] += values[i] * weight;
        }
    }

    void add(QoeSums other) {
        for (int i = 0; i < COUNT; i++) {
            counters[i] += other.counters[i];
        }
        viewerMinutes += other.viewerMinutes;
    }

    /** @param seconds the period's length, for bitrates and average viewers */
    QoeFigures figures(double seconds) {
        double minutes = seconds / 60.0;
        return figures(minutes > 0 ? viewerMinutes / minutes : 0, seconds);
    }

    QoeFigures figures(double viewers, double seconds) {
        double http = counters[HTTP_BYTES];
        double p2p = counters[P2P_BYTES];
        double watch = counters[WATCH_MS];
        double reports = counters[REPORTS];
        double startups = 0;
        for (int i = STARTUP_FIRST; i < COUNT; i++) {
            startups += counters[i];
        }
        long timeout = Math.round(counters[FAILURES_TIMEOUT]);
        long integrity = Math.round(counters[FAILURES_INTEGRITY]);
        long gone = Math.round(counters[FAILURES_GONE]);
        long noHolder = Math.round(counters[FAILURES_NO_HOLDER]);
        long policy = Math.round(counters[FAILURES_POLICY]);
        long paused = Math.round(counters[FAILURES_PAUSED]);
        return new QoeFigures(
                viewers,
                peakViewers < 0 ? null : peakViewers,
                http + p2p > 0 ? p2p / (http + p2p) : null,
                seconds > 0 ? http * 8 / seconds : 0,
                seconds > 0 ? p2p * 8 / seconds : 0,
                watch > 0 ? counters[STALL_MS] / watch : null,
                startupQuantile(counters, 0.50),
                startupQuantile(counters, 0.95),
                Math.round(startups),
                reports > 0 ? counters[BITRATE_KBPS_SUM] / reports : null,
                new QoeFigures.WhyNotP2p(timeout, integrity, gone, noHolder, policy, paused,
                        timeout + integrity + gone + noHolder + policy + paused),
                Math.round(http), Math.round(p2p), Math.round(counters[UPLOADED_BYTES]),
                Math.round(counters[STALLS]), Math.round(counters[STALL_MS]), Math.round(watch),
                Math.round(reports));
    }
}
