package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeColumns.COUNT;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sums viewers' QoE reports in memory per (stream, site, minute) and writes them to the database
 * in batches: every flush interval the minutes that have closed go out in one JDBC batch and one
 * transaction, and {@link #close} writes everything, the open minute included.
 *
 * <p>Threading: {@link #accept} runs on connection threads and only does lock-free adds on the
 * bucket of the current minute (plus, for distinct viewers, a set insert). The flusher is a single
 * thread; {@link #flush} and {@link #close} are synchronized with it. A bucket remembers what it
 * last wrote and the next flush sends only the increments since, added to the stored row, so a
 * report that lands after its minute was written (a connection thread descheduled across the
 * boundary) or a minute split by a restart is still counted. Buckets stay in memory for a couple of
 * minutes after closing, for {@link QoeQueries#live()}.
 *
 * <p>Memory is bounded: when writes fail, unwritten minutes are kept and retried, up to
 * {@code qoe.max-unflushed-rows}; beyond that the oldest are dropped and counted in a warning.
 */
public final class QoeAggregator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QoeAggregator.class);
    /** Longest stream id or site name stored (the columns' width); longer ones are cut. */
    static final int MAX_NAME = 256;
    /** A minute counts as closed this long after it ends, so reports being added as it ended have landed. */
    static final long CLOSE_GRACE_MS = 5_000;
    /** Minutes a written bucket stays in memory after closing (the live view reads the last two). */
    static final long KEEP_MINUTES = 2;

    /** Settings from {@code qoe.*}. */
    public record Settings(long flushIntervalMs, int maxUnflushedRows) {
    }

    record Key(String streamId, String site, long minute) {
    }

    /** One (stream, site, minute). Counters are added lock-free; {@code written*} belong to the flusher. */
    static final class Bucket {
        final Key key;
        final AtomicLongArray counters = new AtomicLongArray(COUNT);
        /** Distinct reporting peers while the minute is open; replaced by their count once it closes. */
        volatile Set<String> peers = ConcurrentHashMap.newKeySet();
        volatile long closedViewers;
        final long[] written = new long[COUNT];
        long writtenViewers;

        Bucket(Key key) {
            this.key = key;
        }

        void add(String peerId, QoeReport r) {
            Set<String> p = peers;
            if (p != null && peerId != null) {
                p.add(peerId);
            }
            long[] values = new long[COUNT];
            QoeColumns.add(values, r);
            // REPORTS goes last and the flusher reads it first: a report caught half-added by a
            // snapshot leaves REPORTS unchanged, so the bucket stays dirty and its rest is sent next time.
            for (int i = 1; i < COUNT; i++) {
                if (values[i] != 0) {
                    counters.getAndAdd(i, values[i]);
                }
            }
            counters.getAndIncrement(QoeColumns.REPORTS);
        }

        long viewers() {
            Set<String> p = peers;
            return p != null ? p.size() : closedViewers;
        }

        void closeMinute() {
            Set<String> p = peers;
            if (p != null) {
                closedViewers = p.size();
                peers = null;
            }
        }

        long[] snapshot() {
            long[] s = new long[COUNT];
            s[QoeColumns.REPORTS] = counters.get(QoeColumns.REPORTS);
            for (int i = 1; i < COUNT; i++) {
                s[i] = counters.get(i);
            }
            return s;
        }
    }

    /** A bucket's figures as of now, for the live view. */
    record Snapshot(Key key, long viewers, long[] counters) {
    }

    private final QoeRepository repository;
    private final Clock clock;
    private final Settings settings;
    private final ConcurrentHashMap<Key, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongAdder httpBytes = new LongAdder();
    private final LongAdder p2pBytes = new LongAdder();
    private final LongAdder uploadedBytes = new LongAdder();
    private final LongAdder reportsAccepted = new LongAdder();
    private final LongAdder reportsDropped = new LongAdder();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong failedFlushes = new AtomicLong();
    private final AtomicLong rowsDropped = new AtomicLong();
    /** Oldest minute (epoch seconds) written since the rollup job last asked; Long.MAX_VALUE when none. */
    private final AtomicLong oldestWrittenSince = new AtomicLong(Long.MAX_VALUE);
    private final ScheduledExecutorService flusher;
    private boolean closed;

    public QoeAggregator(QoeRepository repository, Clock clock, Settings settings) {
        this.repository = repository;
        this.clock = clock;
        this.settings = settings;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qoe-flusher");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, settings.flushIntervalMs(), settings.flushIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Adds a report to its stream, site and the current minute. Cheap and non-blocking: it runs on
     * the reporting connection's thread.
     */
    public void accept(String streamId, String site, String peerId, QoeReport report) {
        Key key = new Key(cut(streamId), cut(site), Math.floorDiv(clock.millis(), 60_000L));
        Bucket b = buckets.get(key);
        if (b == null) {
            // The hard stop behind the flusher's cap: only reached when one minute alone has more
            // (stream, site) pairs than the cap allows, e.g. viewers inventing stream ids.
            if (buckets.size() >= settings.maxUnflushedRows()) {
                reportsDropped.increment();
                return;
            }
            b = buckets.computeIfAbsent(key, Bucket::new);
        }
        b.add(peerId, report);
        httpBytes.add(report.httpBytes());
        p2pBytes.add(report.p2pBytes());
        uploadedBytes.add(report.uploadedBytes());
        reportsAccepted.increment();
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        if (s.equals(QoeTable.ALL)) {
            // '*' means "all" in the total rows; real ids and names never are '*', but keep it apart anyway.
            return "(*)";
        }
        return s.length() <= MAX_NAME ? s : s.substring(0, MAX_NAME);
    }

    /** Writes the minutes that have closed. Returns the rows written (0 when there was nothing or it failed). */
    public int flush() {
        return flush(false);
    }

    private void flushQuietly() {
        try {
            flush(false);
        } catch (RuntimeException e) {
            LOG.warn("qoe - flush failed unexpectedly", e);
        }
    }

    private synchronized int flush(boolean everything) {
        long now = clock.millis();
        long current = Math.floorDiv(now, 60_000L);
        long closedBefore = now - current * 60_000L >= CLOSE_GRACE_MS ? current : current - 1;
        List<QoeDeltas.Minute> deltas = new ArrayList<>();
        List<Bucket> sent = new ArrayList<>();
        List<long[]> sentValues = new ArrayList<>();
        List<Long> sentViewers = new ArrayList<>();
        for (Bucket b : buckets.values()) {
            boolean isClosed = b.key.minute() < closedBefore;
            if (!isClosed && !everything) {
                continue;
            }
            if (isClosed) {
                b.closeMinute();
            }
            long[] now1 = b.snapshot();
            long viewers = b.viewers();
            long[] delta = new long[COUNT];
            boolean dirty = viewers != b.writtenViewers;
            for (int i = 0; i < COUNT; i++) {
                delta[i] = now1[i] - b.written[i];
                dirty |= delta[i] != 0;
            }
            if (!dirty) {
                if (isClosed && b.key.minute() < current - KEEP_MINUTES) {
                    buckets.remove(b.key, b);
                }
                continue;
            }
            deltas.add(new QoeDeltas.Minute(b.key.streamId(), b.key.site(), b.key.minute() * 60,
                    viewers - b.writtenViewers, delta));
            sent.add(b);
            sentValues.add(now1);
            sentViewers.add(viewers);
        }
        if (deltas.isEmpty()) {
            return 0;
        }
        try {
            repository.mergeMinutes(deltas);
        } catch (java.sql.SQLException | RuntimeException e) {
            failedFlushes.incrementAndGet();
            int dropped = enforceCap(current);
            LOG.warn("qoe - writing {} minute rows failed, keeping them for the next flush ({} rows in memory, "
                    + "{} dropped now, {} dropped since start): {}", deltas.size(), buckets.size(), dropped,
                    rowsDropped.get(), e.toString());
            return 0;
        }
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < sent.size(); i++) {
            Bucket b = sent.get(i);
            System.arraycopy(sentValues.get(i), 0, b.written, 0, COUNT);
            b.writtenViewers = sentViewers.get(i);
            oldest = Math.min(oldest, b.key.minute() * 60);
        }
        final long o = oldest;
        oldestWrittenSince.accumulateAndGet(o, Math::min);
        flushes.incrementAndGet();
        return deltas.size();
    }

    /**
     * After a failed write: drops the oldest closed buckets so that, with room for the next minute
     * (as many buckets again as the open minute has), no more than the cap are held. Recent data
     * is worth more than old data on a dashboard, so the oldest go first. Returns how many.
     */
    private int enforceCap(long currentMinute) {
        List<Bucket> closedOldestFirst = buckets.values().stream()
                .filter(b -> b.key.minute() < currentMinute)
                .sorted(Comparator.comparingLong(b -> b.key.minute()))
                .toList();
        int open = buckets.size() - closedOldestFirst.size();
        int allowed = Math.max(0, settings.maxUnflushedRows() - 2 * open);
        int drop = Math.max(0, closedOldestFirst.size() - allowed);
        closedOldestFirst.subList(0, drop).forEach(b -> buckets.remove(b.key, b));
        rowsDropped.addAndGet(drop);
        return drop;
    }

    /** The buckets of {@code minute} and later, as of now (for the live view). */
    List<Snapshot> snapshotsSince(long minute) {
        List<Snapshot> out = new ArrayList<>();
        for (Bucket b : buckets.values()) {
            if (b.key.minute() >= minute) {
                out.add(new Snapshot(b.key, b.viewers(), b.snapshot()));
            }
        }
        return out;
    }

    /**
     * The oldest minute start (epoch seconds) written since the last call, or {@code Long.MAX_VALUE};
     * the rollup job re-rolls from that hour so late minutes reach their hourly rows.
     */
    long takeOldestWritten() {
        return oldestWrittenSince.getAndSet(Long.MAX_VALUE);
    }

    Clock clock() {
        return clock;
    }

    /** Totals since start, for /metrics. */
    public long httpBytes() {
        return httpBytes.sum();
    }

    public long p2pBytes() {
        return p2pBytes.sum();
    }

    public long uploadedBytes() {
        return uploadedBytes.sum();
    }

    public long reportsAccepted() {
        return reportsAccepted.sum();
    }

    /** Reports dropped because {@code qoe.max-unflushed-rows} buckets were already held. */
    public long reportsDropped() {
        return reportsDropped.sum();
    }

    /** Successful flushes that wrote rows (each one JDBC batch in one transaction). */
    public long flushes() {
        return flushes.get();
    }

    public long failedFlushes() {
        return failedFlushes.get();
    }

    /** Minute rows dropped unwritten because the backlog hit its cap. */
    public long rowsDropped() {
        return rowsDropped.get();
    }

    /** (stream, site, minute) buckets held in memory. */
    public int bucketsInMemory() {
        return buckets.size();
    }

    /** Stops the flusher and writes everything still in memory, the open minute included. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            if (!flusher.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("qoe - flusher did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            flush(true);
            long unwritten = buckets.values().stream().filter(b -> b.counters.get(QoeColumns.REPORTS)
                    != b.written[QoeColumns.REPORTS]).count();
            if (unwritten > 0) {
                LOG.warn("qoe - {} minute rows could not be written at stop and are lost", unwritten);
            }
        }
    }

    Map<Key, Bucket> buckets() {
        return buckets;
    }
}
