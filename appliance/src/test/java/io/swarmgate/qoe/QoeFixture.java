package io.swarmgate.qoe;

import io.swarmgate.SettableClock;

import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A real H2 file database in a temporary directory with the QoE pipeline over it, on a clock the
 * test moves. The background flusher is effectively off (one-minute interval); tests flush by hand.
 */
final class QoeFixture implements AutoCloseable {

    /** 2026-03-02T10:00:00Z, a Monday, on an hour boundary. */
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    final Path dir;
    final SettableClock clock;
    final Database database;
    final QoeRepository repository;
    final QoeAggregator aggregator;
    final Map<String, Map<String, Integer>> liveViewers = new HashMap<>();
    final QoeQueries queries;

    QoeFixture(Path dir, Instant start) {
        this(dir, SettableClock.at(start), 100_000);
    }

    QoeFixture(Path dir, SettableClock clock, int maxUnflushedRows) {
        this.dir = dir;
        this.clock = clock;
        this.database = Database.open(new DataDirectory(dir).create(), 4, true);
        this.repository = new QoeRepository(database.dataSource());
        this.aggregator = new QoeAggregator(repository, clock, new QoeAggregator.Settings(60_000, maxUnflushedRows));
        this.queries = new QoeQueries(repository, aggregator, () -> liveViewers, clock);
    }

    QoeRollup rollup(int minuteDays, int hourDays) {
        return new QoeRollup(repository, aggregator, clock, new QoeRollup.Settings(600_000, minuteDays, hourDays), false);
    }

    static QoeReport report(long http, long p2p, long stallMs, long watchMs, Long startupMs) {
        return new QoeReport(http, p2p, 0, stallMs > 0 ? 1 : 0, stallMs, watchMs, startupMs, 3000,
                QoeReport.Failures.NONE);
    }

    static QoeReport failures(long timeout, long integrity, long gone, long noHolder, long policy, long paused) {
        return new QoeReport(0, 0, 0, 0, 0, 10_000, null, 3000,
                new QoeReport.Failures(timeout, integrity, gone, noHolder, policy, paused));
    }

    @Override
    public void close() {
        try {
            aggregator.close();
        } finally {
            database.close();
        }
    }
}
