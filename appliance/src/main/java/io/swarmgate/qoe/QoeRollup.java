package io.swarmgate.qoe;

import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic QoE housekeeping: sums complete hours of minute rows into {@code qoe_hour}, then
 * deletes minute and hourly rows past their retention. Runs at start and every
 * {@code qoe.rollup-interval-ms} on its own thread.
 *
 * <p>Which hours: from the newest hour already rolled up (re-rolled, since minutes of it may have
 * arrived after it was first rolled) or, on an empty hourly table, the oldest minute; and from
 * the oldest minute the aggregator wrote since the last run, so a late flush (after a database
 * outage) reaches its hour. An hour is complete once its last minute has closed and been flushed.
 */
public final class QoeRollup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QoeRollup.class);
    /** After an hour ends, wait this long (a minute's close grace plus a flush interval and margin) before rolling it. */
    static final long COMPLETE_AFTER_SECONDS = 120;

    /** Settings from {@code qoe.*}. */
    public record Settings(long intervalMs, int minuteRetentionDays, int hourRetentionDays) {
    }

    /** What one run did. */
    public record Result(int hoursRolled, long minuteRowsPruned, long hourRowsPruned) {
    }

    private final QoeRepository repository;
    private final QoeAggregator aggregator;
    private final Clock clock;
    private final Settings settings;
    private final ScheduledExecutorService timer;

    /** @param aggregator may be null (tests, tools): then only the stored hours decide where to start */
    public QoeRollup(QoeRepository repository, QoeAggregator aggregator, Clock clock, Settings settings,
                     boolean schedule) {
        this.repository = repository;
        this.aggregator = aggregator;
        this.clock = clock;
        this.settings = settings;
        if (schedule) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "qoe-rollup");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::runQuietly, 0, settings.intervalMs(), TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    private void runQuietly() {
        try {
            Result r = run();
            if (r.hoursRolled() > 0 || r.minuteRowsPruned() > 0 || r.hourRowsPruned() > 0) {
                LOG.info("qoe - rolled up {} hour(s); pruned {} minute and {} hourly rows", r.hoursRolled(),
                        r.minuteRowsPruned(), r.hourRowsPruned());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("qoe - rollup failed; retrying in {} ms", settings.intervalMs(), e);
        }
    }

    /** One rollup and pruning pass, on the caller's thread. */
    public synchronized Result run() throws SQLException {
        long now = clock.millis() / 1000;
        long minuteCutoff = now - settings.minuteRetentionDays() * 86_400L;
        long lastComplete = Math.floorDiv(now - COMPLETE_AFTER_SECONDS, 3600L) * 3600; // exclusive end
        long late = aggregator == null ? Long.MAX_VALUE : aggregator.takeOldestWritten();
        long start = repository.latestHour();
        if (start < 0) {
            start = repository.earliestMinute();
        }
        if (late != Long.MAX_VALUE) {
            start = start < 0 ? late : Math.min(start, late);
        }
        int rolled = 0;
        if (start >= 0) {
            // Hours whose minutes are already past retention would roll up partially; start after them.
            long from = Math.max(Math.floorDiv(start, 3600L) * 3600, Math.floorDiv(minuteCutoff, 3600L) * 3600 + 3600);
            for (long h = from; h < lastComplete; h += 3600) {
                repository.rollupHour(h);
                rolled++;
            }
        }
        long minutesPruned = repository.pruneBefore(QoeTable.MINUTE, minuteCutoff);
        long hoursPruned = repository.pruneBefore(QoeTable.HOUR, now - settings.hourRetentionDays() * 86_400L);
        return new Result(rolled, minutesPruned, hoursPruned);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
