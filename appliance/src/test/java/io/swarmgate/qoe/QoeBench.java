package io.swarmgate.qoe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.BenchOptions;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The QoE benchmark behind {@code scripts/bench-qoe} (not a test): seeds rollup rows, measures
 * every dashboard and history query, then feeds the aggregator reports at the rate of 20,000
 * viewers reporting every 10 s and measures its CPU. Prints one JSON line on stdout; progress on
 * stderr. See docs/benchmarks.md, "QoE".
 *
 * <p>Arguments (all optional): {@code --data-dir DIR --streams 50 --sites 100 --minute-hours 1
 * --hour-days 2 --total-minute-hours 48 --total-hour-days 30 --viewers 20000 --ingest-seconds 60
 * --warmups 20 --runs 50}.
 */
public final class QoeBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        BenchOptions opt = BenchOptions.parseOrExit("bench-qoe", args, Map.of("--streams", "50", "--sites", "100",
                "--minute-hours", "1", "--hour-days", "2", "--total-minute-hours", "48", "--total-hour-days", "30",
                "--viewers", "20000", "--ingest-seconds", "60", "--warmups", "20", "--runs", "50"), "--data-dir");
        int streams = opt.number("--streams");
        int sites = opt.number("--sites");
        int minuteHours = opt.number("--minute-hours");
        int hourDays = opt.number("--hour-days");
        int viewers = opt.number("--viewers");
        int ingestSeconds = opt.number("--ingest-seconds");
        int totalMinuteHours = Math.max(minuteHours, opt.number("--total-minute-hours"));
        int totalHourDays = Math.max(hourDays, opt.number("--total-hour-days"));
        int warmups = opt.number("--warmups");
        int runs = opt.number("--runs");
        Path dir = opt.path("--data-dir") != null ? Path.of(opt.path("--data-dir")) : Files.createTempDirectory("bench-qoe");

        Clock clock = Clock.systemUTC();
        Database db = Database.open(new DataDirectory(dir).create(), 8, true);
        QoeRepository repo = new QoeRepository(db.dataSource());
        QoeHistoryReads reads = new QoeHistoryReads(repo);
        long now = clock.millis() / 1000;
        long thisMinute = now / 60 * 60;
        long thisHour = now / 3600 * 3600;

        // (a) Seed: hourly rows for every stream × site for hourDays, minute rows for minuteHours.
        long t0 = System.nanoTime();
        long hourRows = seed(db, "qoe_hour", "hour_start", streams, sites, thisHour - hourDays * 86_400L, thisHour, 3600);
        long minuteRows = seed(db, "qoe_minute", "minute_start", streams, sites, thisMinute - minuteHours * 3600L,
                thisMinute, 60);
        // The totals the appliance writes along with these rows (V5__qoe_totals.sql).
        repo.rebuildTotals(QoeTable.HOUR, thisHour - hourDays * 86_400L, thisHour);
        repo.rebuildTotals(QoeTable.MINUTE, thisMinute - minuteHours * 3600L, thisMinute);
        // Before those, total rows only, for the ranges production holds (48 h of minutes, 30 days of
        // hours): the unfiltered queries read only total rows, so they scan what they would scan there.
        long minuteTotalRows = seedTotals(db, "qoe_minute_total", "minute_start", streams, sites,
                thisMinute - totalMinuteHours * 3600L, thisMinute - minuteHours * 3600L, 60);
        long hourTotalRows = seedTotals(db, "qoe_hour_total", "hour_start", streams, sites,
                thisHour - totalHourDays * 86_400L, thisHour - hourDays * 86_400L, 3600);
        // And the coarse breakdown totals (V6__qoe_breakdown_totals.sql) of all of them.
        repo.rebuildCoarse(QoeTable.MINUTE, Math.floorDiv(thisMinute - totalMinuteHours * 3600L, 3600L) * 3600,
                thisHour + 3600);
        repo.rebuildCoarse(QoeTable.HOUR, Math.floorDiv(thisHour - totalHourDays * 86_400L, 86_400L) * 86_400,
                Math.floorDiv(thisHour, 86_400L) * 86_400 + 86_400);
        double seedSeconds = (System.nanoTime() - t0) / 1e9;
        log("seeded %d minute + %d hourly rows (and their totals), %d + %d earlier total rows in %.0f s",
                minuteRows, hourRows, minuteTotalRows, hourTotalRows, seedSeconds);
        try (Connection c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("ANALYZE");
        }

        // (b) Ingest: the aggregator as the appliance runs it (10 s flushes into the seeded database).
        // Start 10 s before a minute ends, so the run includes closing and writing a full minute.
        long toStart = 50_000 - clock.millis() % 60_000;
        Thread.sleep(toStart >= 0 ? toStart : toStart + 60_000);
        QoeAggregator aggregator = new QoeAggregator(repo, clock, new QoeAggregator.Settings(10_000, 100_000));
        Map<String, Map<String, Integer>> live = new LinkedHashMap<>();
        String[] peerIds = new String[viewers];
        String[] streamOf = new String[viewers];
        String[] siteOf = new String[viewers];
        for (int v = 0; v < viewers; v++) {
            peerIds[v] = "p-" + v;
            streamOf[v] = "stream-" + v % streams;
            siteOf[v] = "site-" + v / streams % sites;
            live.computeIfAbsent(streamOf[v], k -> new LinkedHashMap<>()).merge(siteOf[v], 1, Integer::sum);
        }
        QoeReport[] reports = new QoeReport[64];
        for (int i = 0; i < reports.length; i++) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            reports[i] = new QoeReport(r.nextLong(2_000_000), r.nextLong(6_000_000), r.nextLong(3_000_000),
                    r.nextInt(3) == 0 ? 1 : 0, r.nextInt(800), 10_000, i % 6 == 0 ? (long) r.nextInt(4000) : null,
                    3000, new QoeReport.Failures(r.nextInt(3), 0, r.nextInt(2), r.nextInt(2), 0, 0));
        }
        int perSecond = viewers / 10;
        log("ingesting %d reports/s for %d s", perSecond, ingestSeconds);
        long feederCpu0 = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long sent = 0;
        int next = 0;
        // Paced in 10 ms slices, like viewers' reports arriving spread over each 10 s period.
        for (long slice = 0; slice < ingestSeconds * 100L; slice++) {
            long due = start + slice * 10_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            long target = (slice + 1) * perSecond / 100;
            while (sent < target) {
                aggregator.accept(streamOf[next], siteOf[next], peerIds[next], reports[(int) (sent & 63)]);
                next = (next + 1) % viewers;
                sent++;
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long feederCpu = THREADS.getCurrentThreadCpuTime() - feederCpu0;
        long flusherCpu = threadCpu("qoe-flusher");
        log("ingest: %d reports in %.1f s; flusher CPU %.0f ms, feeder thread CPU %.0f ms, %d flushes, %d batches",
                sent, wall, flusherCpu / 1e6, feederCpu / 1e6, aggregator.flushes(), repo.batchExecutions());

        // Cost of accept() alone, in a tight loop on warm buckets.
        int loop = 2_000_000;
        long c0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < loop; i++) {
            int v = i % viewers;
            aggregator.accept(streamOf[v], siteOf[v], peerIds[v], reports[i & 63]);
        }
        double acceptNs = (THREADS.getCurrentThreadCpuTime() - c0) / (double) loop;
        double acceptCpuPerSecond = acceptNs * perSecond;                   // ns of CPU per wall second
        double flusherPerSecond = flusherCpu / wall;
        double cpuPct = (acceptCpuPerSecond + flusherPerSecond) / 1e9 * 100;
        log("accept(): %.0f ns per call", acceptNs);

        // Queries, after the ingest so the live view has a full set of in-memory buckets.
        QoeQueries queries = new QoeQueries(repo, aggregator, () -> live, clock);
        Instant nowI = Instant.ofEpochSecond(now);
        Map<String, Callable<Object>> cases = new LinkedHashMap<>();
        cases.put("live", queries::live);
        cases.put("history_1h_minute", () -> queries.history(nowI.minus(Duration.ofHours(1)), nowI, QoeQueries.Step.MINUTE, null, null));
        cases.put("history_24h_hour", () -> queries.history(nowI.minus(Duration.ofHours(24)), nowI, QoeQueries.Step.HOUR, null, null));
        cases.put("history_48h_hour", () -> queries.history(nowI.minus(Duration.ofHours(48)), nowI, QoeQueries.Step.HOUR, null, null));
        cases.put("history_7d", () -> queries.history(nowI.minus(Duration.ofDays(7)), nowI, QoeQueries.Step.HOUR, null, null));
        cases.put("history_30d", () -> queries.history(nowI.minus(Duration.ofDays(30)), nowI, QoeQueries.Step.HOUR, null, null));
        cases.put("history_24h_one_stream", () -> queries.history(nowI.minus(Duration.ofHours(24)), nowI, QoeQueries.Step.HOUR, "stream-7", null));
        cases.put("history_24h_one_site", () -> queries.history(nowI.minus(Duration.ofHours(24)), nowI, QoeQueries.Step.HOUR, null, "site-42"));
        cases.put("history_30d_one_stream", () -> queries.history(nowI.minus(Duration.ofDays(30)), nowI, QoeQueries.Step.HOUR, "stream-7", null));
        Map<String, Double> p50 = new LinkedHashMap<>();
        Map<String, Double> p99 = new LinkedHashMap<>();
        for (var e : cases.entrySet()) {
            // Every case runs JIT-compiled, as in a running appliance: warm-up runs first, then
            // enough timed runs that p99 is not simply the slowest of a handful.
            boolean isLive = e.getKey().equals("live");
            double[] ms = time(db, e.getValue(), isLive ? 300 : warmups, isLive ? 100 : runs);
            p50.put(e.getKey(), round(percentile(ms, 0.50)));
            p99.put(e.getKey(), round(percentile(ms, 0.99)));
            log("%-24s p50 %8.1f ms  p99 %8.1f ms", e.getKey(), percentile(ms, 0.50), percentile(ms, 0.99));
        }
        // Where an unfiltered answer's time goes: its three SQL reads timed one by one (stderr only;
        // a fifth of the runs, as only the median is reported).
        Map<String, Duration> ranges = new LinkedHashMap<>();
        ranges.put("1h", Duration.ofHours(1));
        ranges.put("24h", Duration.ofHours(24));
        ranges.put("48h", Duration.ofHours(48));
        ranges.put("7d", Duration.ofDays(7));
        ranges.put("30d", Duration.ofDays(30));
        int partRuns = Math.max(1, runs / 5);
        for (var e : ranges.entrySet()) {
            boolean minutes = e.getValue().compareTo(QoeQueries.MINUTE_TABLE_MAX_RANGE) <= 0;
            QoeTable table = minutes ? QoeTable.MINUTE : QoeTable.HOUR;
            long to = minutes ? thisMinute : thisHour + 3600;
            long from = to - e.getValue().toSeconds();
            double[] series = time(db, () -> reads.series(table, from, to, null, null), partRuns, partRuns);
            double[] byStream = time(db, () -> reads.breakdown(table, "stream_id", from, to, null, null), partRuns, partRuns);
            double[] bySite = time(db, () -> reads.breakdown(table, "site", from, to, null, null), partRuns, partRuns);
            log("  reads of %-4s p50: series %6.1f ms, by stream %6.1f ms, by site %6.1f ms", e.getKey(),
                    percentile(series, 0.5), percentile(byStream, 0.5), percentile(bySite, 0.5));
        }

        // One hour rolled up at full cardinality, as the rollup job does every 10 minutes.
        long r0 = System.nanoTime();
        int rolled = repo.rollupHour(thisHour - 3600);
        double rollupMs = (System.nanoTime() - r0) / 1e6;

        aggregator.close();
        Map<String, Long> rowCounts = repo.rowCounts();
        db.close();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seeded_rows", minuteRows + hourRows);
        out.put("seeded_minute_rows", minuteRows);
        out.put("seeded_hour_rows", hourRows);
        out.put("rows", rowCounts);
        out.put("seed", Map.of("streams", streams, "sites", sites, "minute_hours", minuteHours, "hour_days", hourDays,
                "total_minute_hours", totalMinuteHours, "total_hour_days", totalHourDays));
        out.put("query_warmups", warmups);
        out.put("query_runs", runs);
        out.put("query_p50_ms", p50);
        out.put("query_p99_ms", p99);
        out.put("ingest_reports_per_s", perSecond);
        out.put("ingest_seconds", Math.round(wall));
        out.put("accept_ns", round(acceptNs));
        out.put("flusher_cpu_ms", round(flusherCpu / 1e6));
        out.put("ingest_cpu_pct_of_core", round(cpuPct));
        out.put("rollup_hour_ms", round(rollupMs));
        out.put("rollup_hour_rows", rolled);
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    /**
     * Inserts one row per stream × site × period in [from, to) with JDBC batches, a commit per
     * period. Values are random but plausible: 1–8 viewers, 0.5–2 MB HTTP and 0–6 MB P2P per report.
     * (H2 takes about 12,000 such rows/s here; generating them inside H2 with SYSTEM_RANGE was slower.)
     */
    private static long seed(Database db, String table, String timeColumn, int streams, int sites, long from, long to,
                             long period) throws Exception {
        String cols = "stream_id, site, " + timeColumn + ", viewers, viewer_minutes, " + QoeColumns.list(null);
        String marks = String.join(", ", java.util.Collections.nCopies(cols.split(", ").length, "?"));
        long rows = 0;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long minutes = period / 60;
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
            c.setAutoCommit(false);
            long lastLog = System.nanoTime();
            for (long t = from; t < to; t += period) {
                for (int st = 0; st < streams; st++) {
                    for (int si = 0; si < sites; si++) {
                        int v = 1 + r.nextInt(8);
                        s.setString(1, "stream-" + st);
                        s.setString(2, "site-" + si);
                        s.setLong(3, t);
                        s.setLong(4, v);
                        s.setLong(5, v * minutes);
                        long reports = v * minutes * 6;
                        long[] x = new long[QoeColumns.COUNT];
                        x[QoeColumns.REPORTS] = reports;
                        x[QoeColumns.HTTP_BYTES] = reports * r.nextLong(500_000, 2_000_000);
                        x[QoeColumns.P2P_BYTES] = reports * r.nextLong(0, 6_000_000);
                        x[QoeColumns.UPLOADED_BYTES] = x[QoeColumns.P2P_BYTES];
                        x[QoeColumns.STALLS] = r.nextInt(3);
                        x[QoeColumns.STALL_MS] = x[QoeColumns.STALLS] * 700;
                        x[QoeColumns.WATCH_MS] = reports * 10_000;
                        x[QoeColumns.FAILURES_TIMEOUT] = r.nextInt(4);
                        x[QoeColumns.FAILURES_GONE] = r.nextInt(2);
                        x[QoeColumns.BITRATE_KBPS_SUM] = reports * 3000;
                        x[QoeColumns.STARTUP_FIRST + 2 + r.nextInt(4)] = r.nextInt(3);
                        for (int i = 0; i < QoeColumns.COUNT; i++) {
                            s.setLong(6 + i, x[i]);
                        }
                        s.addBatch();
                        rows++;
                    }
                }
                s.executeBatch();
                c.commit();
                if (System.nanoTime() - lastLog > 10_000_000_000L) {
                    lastLog = System.nanoTime();
                    log("  %s: %d rows", table, rows);
                }
            }
            c.setAutoCommit(true);
        }
        return rows;
    }

    /**
     * Inserts the total rows (V5__qoe_totals.sql) of {@code streams} × {@code sites} for every period
     * in [from, to) without their detail rows: per stream, per site and overall, each the sum of
     * the same plausible (stream, site) row, so the totals are consistent with one another.
     */
    private static long seedTotals(Database db, String table, String timeColumn, int streams, int sites, long from,
                                   long to, long period) throws Exception {
        String cols = "stream_id, site, " + timeColumn + ", viewers, viewer_minutes, " + QoeColumns.list(null);
        String marks = String.join(", ", java.util.Collections.nCopies(cols.split(", ").length, "?"));
        long minutes = period / 60;
        long rows = 0;
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
            c.setAutoCommit(false);
            for (long t = from; t < to; t += period) {
                List<String[]> keys = new ArrayList<>();
                for (int st = 0; st < streams; st++) {
                    keys.add(new String[] {"stream-" + st, QoeTable.ALL, Integer.toString(sites)});
                }
                for (int si = 0; si < sites; si++) {
                    keys.add(new String[] {QoeTable.ALL, "site-" + si, Integer.toString(streams)});
                }
                keys.add(new String[] {QoeTable.ALL, QoeTable.ALL, Integer.toString(streams * sites)});
                for (String[] k : keys) {
                    long pairs = Long.parseLong(k[2]);
                    long v = 4 * pairs;
                    long reports = v * minutes * 6;
                    s.setString(1, k[0]);
                    s.setString(2, k[1]);
                    s.setLong(3, t);
                    s.setLong(4, v);
                    s.setLong(5, v * minutes);
                    long[] x = new long[QoeColumns.COUNT];
                    x[QoeColumns.REPORTS] = reports;
                    x[QoeColumns.HTTP_BYTES] = reports * 1_250_000;
                    x[QoeColumns.P2P_BYTES] = reports * 3_000_000;
                    x[QoeColumns.UPLOADED_BYTES] = x[QoeColumns.P2P_BYTES];
                    x[QoeColumns.STALLS] = pairs;
                    x[QoeColumns.STALL_MS] = pairs * 700;
                    x[QoeColumns.WATCH_MS] = reports * 10_000;
                    x[QoeColumns.FAILURES_TIMEOUT] = pairs * 2;
                    x[QoeColumns.BITRATE_KBPS_SUM] = reports * 3000;
                    x[QoeColumns.STARTUP_FIRST + 3] = pairs;
                    for (int i = 0; i < QoeColumns.COUNT; i++) {
                        s.setLong(6 + i, x[i]);
                    }
                    s.addBatch();
                    rows++;
                }
                s.executeBatch();
                c.commit();
            }
            c.setAutoCommit(true);
        }
        return rows;
    }

    /** The value below which {@code q} of the sorted {@code ms} lie (nearest rank). */
    private static double percentile(double[] ms, double q) {
        return ms[Math.max(0, (int) Math.ceil(ms.length * q) - 1)];
    }

    /**
     * H2 reuses a query's result while its tables are unchanged; the appliance writes minutes every
     * 10 s, so each timed run first changes every QoE table (untimed) to measure real work.
     */
    private static void touch(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); var s = c.createStatement()) {
            for (QoeTable t : QoeTable.values()) {
                for (String[] table : new String[][] {{t.name, t.time, "site-0"}, {t.totals, t.time, QoeTable.ALL},
                    {t.coarse, t.coarseTime, QoeTable.ALL}}) {
                    s.executeUpdate("UPDATE " + table[0] + " SET reports = reports + 0 WHERE stream_id = 'stream-0'"
                            + " AND site = '" + table[2] + "' AND " + table[1] + " = (SELECT MIN(" + table[1] + ") FROM "
                            + table[0] + ")");
                }
            }
        }
    }

    private static double[] time(Database db, Callable<Object> q, int warmups, int runs) throws Exception {
        for (int i = 0; i < warmups; i++) {
            q.call();
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            touch(db);
            long t = System.nanoTime();
            q.call();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static long threadCpu(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return THREADS.getThreadCpuTime(t.getId());
            }
        }
        return -1;
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    private static void log(String format, Object... args) {
        System.err.println("bench-qoe: " + String.format(format, args));
    }

    private QoeBench() {
    }
}
