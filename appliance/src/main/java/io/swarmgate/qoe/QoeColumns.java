package io.swarmgate.qoe;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The summed counters of a QoE rollup row, by index: one layout shared by the in-memory buckets,
 * the batch writer, the rollup SQL and the readers, so a new counter is added in one place (and a
 * migration). Viewers are kept apart because they are counted distinct, not summed.
 */
final class QoeColumns {

    static final int REPORTS = 0;
    static final int HTTP_BYTES = 1;
    static final int P2P_BYTES = 2;
    static final int UPLOADED_BYTES = 3;
    static final int STALLS = 4;
    static final int STALL_MS = 5;
    static final int WATCH_MS = 6;
    static final int FAILURES_TIMEOUT = 7;
    static final int FAILURES_INTEGRITY = 8;
    static final int FAILURES_GONE = 9;
    static final int FAILURES_NO_HOLDER = 10;
    static final int FAILURES_POLICY = 11;
    static final int BITRATE_KBPS_SUM = 12;
    /** Segments a viewer fetched over HTTP while its P2P downloads were paused (V14). */
    static final int FAILURES_PAUSED = 13;
    /** First startup histogram bucket; one column per entry of {@link #STARTUP_BOUNDS_MS} plus the overflow. */
    static final int STARTUP_FIRST = 14;

    /** Upper bounds (inclusive, ms) of the startup buckets; a last bucket holds everything above. */
    static final long[] STARTUP_BOUNDS_MS = {250, 500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 10000, 15000, 30000};
    static final int STARTUP_BUCKETS = STARTUP_BOUNDS_MS.length + 1;
    static final int COUNT = STARTUP_FIRST + STARTUP_BUCKETS;

    /** Column names in index order (V4__qoe.sql, and V14's column). */
    static final String[] NAMES;

    static {
        String[] names = new String[COUNT];
        String[] fixed = {"reports", "http_bytes", "p2p_bytes", "uploaded_bytes", "stalls", "stall_ms", "watch_ms",
            "failures_timeout", "failures_integrity", "failures_gone", "failures_no_holder", "failures_policy",
            "bitrate_kbps_sum", "failures_paused"};
        System.arraycopy(fixed, 0, names, 0, fixed.length);
        for (int i = 0; i < STARTUP_BOUNDS_MS.length; i++) {
            names[STARTUP_FIRST + i] = "startup_le_" + STARTUP_BOUNDS_MS[i];
        }
        names[COUNT - 1] = "startup_gt_" + STARTUP_BOUNDS_MS[STARTUP_BOUNDS_MS.length - 1];
        NAMES = names;
    }

    private QoeColumns() {
    }

    /** {@code "reports, http_bytes, …"} with an optional per-column prefix and wrapper, e.g. SUM(x). */
    static String list(String function) {
        return Arrays.stream(NAMES)
                .map(n -> function == null ? n : function + "(" + n + ")")
                .collect(Collectors.joining(", "));
    }

    static int startupBucket(long startupMs) {
        for (int i = 0; i < STARTUP_BOUNDS_MS.length; i++) {
            if (startupMs <= STARTUP_BOUNDS_MS[i]) {
                return STARTUP_FIRST + i;
            }
        }
        return COUNT - 1;
    }

    /** The report's contribution, index by index (viewers aside). */
    static void add(long[] into, QoeReport r) {
        into[REPORTS] += 1;
        into[HTTP_BYTES] += r.httpBytes();
        into[P2P_BYTES] += r.p2pBytes();
        into[UPLOADED_BYTES] += r.uploadedBytes();
        into[STALLS] += r.stalls();
        into[STALL_MS] += r.stallMs();
        into[WATCH_MS] += r.watchMs();
        QoeReport.Failures f = r.failures();
        into[FAILURES_TIMEOUT] += f.timeout();
        into[FAILURES_INTEGRITY] += f.integrity();
        into[FAILURES_GONE] += f.gone();
        into[FAILURES_NO_HOLDER] += f.noHolder();
        into[FAILURES_POLICY] += f.policy();
        into[FAILURES_PAUSED] += f.paused();
        into[BITRATE_KBPS_SUM] += r.bitrateKbps();
        if (r.startupMs() != null) {
            into[startupBucket(r.startupMs())] += 1;
        }
    }

    /**
     * The {@code q} quantile (0..1) of the startup histogram in {@code sums}, interpolated linearly
     * inside the bucket that holds it; the overflow bucket answers with its lower bound. Null when
     * there are no samples.
     */
    static Double startupQuantile(double[] sums, double q) {
        double total = 0;
        for (int i = STARTUP_FIRST; i < COUNT; i++) {
            total += sums[i];
        }
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        double seen = 0;
        for (int b = 0; b < STARTUP_BUCKETS; b++) {
            double n = sums[STARTUP_FIRST + b];
            if (n > 0 && seen + n >= rank) {
                if (b == STARTUP_BUCKETS - 1) {
                    return (double) STARTUP_BOUNDS_MS[b - 1];
                }
                double lower = b == 0 ? 0 : STARTUP_BOUNDS_MS[b - 1];
                double upper = STARTUP_BOUNDS_MS[b];
                return lower + (upper - lower) * Math.max(0, rank - seen) / n;
            }
            seen += n;
        }
        return (double) STARTUP_BOUNDS_MS[STARTUP_BOUNDS_MS.length - 1];
    }
}
