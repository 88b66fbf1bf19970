package io.swarmgate.qoe;

/**
 * The two period tables of QoE figures, {@code qoe_minute} and {@code qoe_hour} (V4__qoe.sql), each
 * with its pre-summed {@code *_total} table (V5__qoe_totals.sql) and its coarser breakdown totals
 * (V6__qoe_breakdown_totals.sql): names, time columns and period lengths, for the SQL in
 * {@link QoeRepository} and the read plans of {@link QoeHistoryReads}. Times are epoch seconds.
 */
enum QoeTable {
    MINUTE("qoe_minute", "minute_start", 60, "qoe_minute_total_by_hour", "hour_start", 3600),
    HOUR("qoe_hour", "hour_start", 3600, "qoe_hour_total_by_day", "day_start", 86_400);

    /**
     * The stream id or site of a total row meaning "all of them". Never a real stream id or site
     * name: the aggregator renames a literal {@code "*"} before it is stored.
     */
    static final String ALL = "*";

    final String name;
    final String time;
    final long seconds;
    /** The table of pre-summed rows (V5__qoe_totals.sql): keys with {@link #ALL} for "every". */
    final String totals;
    /**
     * The per-stream and per-site rows of {@link #totals} summed per {@link #coarseSeconds}
     * (V6__qoe_breakdown_totals.sql), keyed by {@link #coarseTime}; no viewers column.
     */
    final String coarse;
    final String coarseTime;
    final long coarseSeconds;

    QoeTable(String name, String time, long seconds, String coarse, String coarseTime, long coarseSeconds) {
        this.name = name;
        this.time = time;
        this.seconds = seconds;
        this.totals = name + "_total";
        this.coarse = coarse;
        this.coarseTime = coarseTime;
        this.coarseSeconds = coarseSeconds;
    }
}
