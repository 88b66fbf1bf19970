package io.swarmgate.qoe;

import com.fasterxml.jackson.annotation.JsonValue;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read side of the QoE analytics, for the REST API, the console's live socket and {@code /metrics}:
 * a live view from memory (the last minute of reports plus viewers connected right now) and history
 * from the rollup tables. Every answer carries the same {@link QoeFigures} overall, per stream and
 * per site.
 */
public final class QoeQueries {

    /** Ranges up to this long are read from minute rows; longer ones from hourly rows. */
    public static final Duration MINUTE_TABLE_MAX_RANGE = Duration.ofDays(2);
    /** The live view covers this many seconds of reports. */
    public static final int LIVE_WINDOW_SECONDS = 60;

    /** Viewers connected now by stream and site (the signaling service's count). */
    @FunctionalInterface
    public interface LiveViewers {
        Map<String, Map<String, Integer>> byStreamAndSite();
    }

    /** Per site, the upload capacity (kbit/s) its viewers measured recently (the signaling service's figure). */
    @FunctionalInterface
    public interface LiveUploadCapacity {
        Map<String, Long> bySite();
    }

    /** Per site, its WAN link as its viewers measured it (the signaling service's figure). */
    @FunctionalInterface
    public interface LiveWanLinks {
        Map<String, WanLink> bySite();
    }

    /**
     * A site's WAN link: the HTTP throughput (kbit/s) a viewer joining the site is told, when the
     * newest report it rests on arrived, and whether viewers take the link for congested.
     */
    public record WanLink(long kbps, Instant measuredAt, boolean congested) {
    }

    /** Resolution of a history series. */
    public enum Step {
        MINUTE(60), HOUR(3600);

        private final long seconds;

        Step(long seconds) {
            this.seconds = seconds;
        }

        public long seconds() {
            return seconds;
        }

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code "minute"} or {@code "hour"}; anything else is an IllegalArgumentException. */
        public static Step parse(String s) {
            return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
                case "minute" -> MINUTE;
                case "hour" -> HOUR;
                default -> throw new IllegalArgumentException("step must be 'minute' or 'hour', not '" + s + "'");
            };
        }
    }

    /**
     * The live dashboard's numbers. Viewers are the ones connected now; the other figures cover the
     * last {@code windowSeconds} of reports (the previous minute weighted by its part inside the window).
     * {@code uploadCapacityBySite}: the median upload capacity viewers of each site measured, for
     * the sites where any did; {@code wanLinkBySite}: each site's WAN link, for the sites with a
     * figure (measured in the last minute or remembered), which may include sites without viewers now;
     * {@code reachingNobodyBySite}: per site, its viewers connected now that reach no colleague (their
     * pairings fail to connect and they have no data channel open), for the sites with any.
     */
    public record LiveView(Instant at, int windowSeconds, QoeFigures overall, Map<String, QoeFigures> byStream,
                           Map<String, QoeFigures> bySite, Map<String, Long> uploadCapacityBySite,
                           Map<String, WanLink> wanLinkBySite, Map<String, Integer> reachingNobodyBySite) {
    }

    /** One point of a history series: the period starting at {@code at}, {@code step} long. */
    public record Point(Instant at, QoeFigures figures) {
    }

    /**
     * A history answer. {@code from}/{@code to} are the requested range aligned to {@code step};
     * {@code step} may be coarser than requested when the range is read from hourly rows
     * ({@code source} "hour"). Periods without data appear as points with zeros.
     */
    public record History(Instant from, Instant to, Step step, Step source, List<Point> points, QoeFigures overall,
                          Map<String, QoeFigures> byStream, Map<String, QoeFigures> bySite) {
    }

    private final QoeHistoryReads reads;
    private final QoeAggregator aggregator;
    private final LiveViewers viewers;
    private final LiveUploadCapacity uploadCapacity;
    private final LiveWanLinks wanLinks;
    private final LiveViewers reachingNobody;
    private final Clock clock;

    public QoeQueries(QoeRepository repository, QoeAggregator aggregator, LiveViewers viewers, Clock clock) {
        this(repository, aggregator, viewers, Map::of, Map::of, Map::of, clock);
    }

    /** @param reachingNobody of the viewers, those that reach no colleague, by stream and site */
    public QoeQueries(QoeRepository repository, QoeAggregator aggregator, LiveViewers viewers,
                      LiveUploadCapacity uploadCapacity, LiveWanLinks wanLinks, LiveViewers reachingNobody, Clock clock) {
        this.reads = new QoeHistoryReads(repository);
        this.aggregator = aggregator;
        this.viewers = viewers;
        this.uploadCapacity = uploadCapacity;
        this.wanLinks = wanLinks;
        this.reachingNobody = reachingNobody;
        this.clock = clock;
    }

    /** From memory only; cheap enough to call every second. */
    public LiveView live() {
        long nowMs = clock.millis();
        long minute = Math.floorDiv(nowMs, 60_000L);
        double intoMinute = (nowMs - minute * 60_000L) / 60_000.0;
        double previousWeight = 1.0 - intoMinute;
        QoeSums overall = new QoeSums();
        Map<String, QoeSums> byStream = new TreeMap<>();
        Map<String, QoeSums> bySite = new TreeMap<>();
        for (QoeAggregator.Snapshot s : aggregator.snapshotsSince(minute - 1)) {
            double weight = s.key().minute() == minute ? 1.0 : previousWeight;
            if (s.key().minute() > minute) {
                continue;
            }
            overall.add(s.counters(), weight);
            byStream.computeIfAbsent(s.key().streamId(), k -> new QoeSums()).add(s.counters(), weight);
            bySite.computeIfAbsent(s.key().site(), k -> new QoeSums()).add(s.counters(), weight);
        }
        Map<String, Long> streamViewers = new TreeMap<>();
        Map<String, Long> siteViewers = new TreeMap<>();
        long total = 0;
        for (var stream : viewers.byStreamAndSite().entrySet()) {
            for (var site : stream.getValue().entrySet()) {
                streamViewers.merge(stream.getKey(), (long) site.getValue(), Long::sum);
                siteViewers.merge(site.getKey(), (long) site.getValue(), Long::sum);
                total += site.getValue();
                byStream.computeIfAbsent(stream.getKey(), k -> new QoeSums());
                bySite.computeIfAbsent(site.getKey(), k -> new QoeSums());
            }
        }
        return new LiveView(Instant.ofEpochMilli(nowMs), LIVE_WINDOW_SECONDS,
                overall.figures(total, LIVE_WINDOW_SECONDS),
                figures(byStream, streamViewers), figures(bySite, siteViewers),
                Collections.unmodifiableMap(new TreeMap<>(uploadCapacity.bySite())),
                Collections.unmodifiableMap(new TreeMap<>(wanLinks.bySite())), bySite(reachingNobody.byStreamAndSite()));
    }

    /** Counts by stream and site summed per site over the streams. */
    private static Map<String, Integer> bySite(Map<String, Map<String, Integer>> byStreamAndSite) {
        Map<String, Integer> out = new TreeMap<>();
        byStreamAndSite.values().forEach(sites -> sites.forEach((site, n) -> out.merge(site, n, Integer::sum)));
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, QoeFigures> figures(Map<String, QoeSums> sums, Map<String, Long> viewers) {
        Map<String, QoeFigures> out = new TreeMap<>();
        sums.forEach((k, v) -> out.put(k, v.figures(viewers.getOrDefault(k, 0L), LIVE_WINDOW_SECONDS)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * A time series over [from, to) with figures overall, per stream and per site for the whole
     * range. Ranges up to {@link #MINUTE_TABLE_MAX_RANGE} read minute rows (any step); longer ones
     * read hourly rows and always answer in hours.
     *
     * @param stream only this stream, or null for all
     * @param site   only this site, or null for all
     */
    public History history(Instant from, Instant to, Step step, String stream, String site) throws SQLException {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        QoeTable table = Duration.between(from, to).compareTo(MINUTE_TABLE_MAX_RANGE) <= 0
                ? QoeTable.MINUTE : QoeTable.HOUR;
        Step source = table == QoeTable.MINUTE ? Step.MINUTE : Step.HOUR;
        Step effective = source == Step.HOUR ? Step.HOUR : step;
        long stepSeconds = effective.seconds();
        long start = Math.floorDiv(from.getEpochSecond(), stepSeconds) * stepSeconds;
        long end = -Math.floorDiv(-to.getEpochSecond(), stepSeconds) * stepSeconds;

        List<QoeHistoryReads.Group> rows = reads.series(table, start, end, stream, site);
        int n = (int) ((end - start) / stepSeconds);
        QoeSums[] perStep = new QoeSums[n];
        for (int i = 0; i < n; i++) {
            perStep[i] = new QoeSums();
            perStep[i].peakViewers = 0;
        }
        QoeSums overall = new QoeSums();
        overall.peakViewers = 0;
        for (QoeHistoryReads.Group g : rows) {
            QoeSums p = perStep[(int) ((g.time() - start) / stepSeconds)];
            p.add(g.sums());
            // Within a point, the busiest period (minute, or hour for hourly rows) is its peak.
            p.peakViewers = Math.max(p.peakViewers, g.sums().peakViewers);
            overall.add(g.sums());
            overall.peakViewers = Math.max(overall.peakViewers, g.sums().peakViewers);
        }
        List<Point> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            points.add(new Point(Instant.ofEpochSecond(start + i * stepSeconds), perStep[i].figures(stepSeconds)));
        }
        long seconds = end - start;
        return new History(Instant.ofEpochSecond(start), Instant.ofEpochSecond(end), effective, source,
                Collections.unmodifiableList(points), overall.figures(seconds),
                breakdown(table, "stream_id", start, end, stream, site, seconds),
                breakdown(table, "site", start, end, stream, site, seconds));
    }

    private Map<String, QoeFigures> breakdown(QoeTable table, String by, long from, long to, String stream,
                                              String site, long seconds) throws SQLException {
        Map<String, QoeFigures> out = new TreeMap<>();
        for (QoeHistoryReads.Group g : reads.breakdown(table, by, from, to, stream, site)) {
            out.put(g.key(), g.sums().figures(seconds));
        }
        return Collections.unmodifiableMap(out);
    }
}
