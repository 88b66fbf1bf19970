package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.swarmgate.SettableClock;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The remembered site links in a real H2 database: written, read back by the next start, picked
 * up by another appliance on the same database, bad rows skipped. Passes are run by hand.
 */
class SiteLinkStoreTest {

    private static final long HOUR = 60 * 60 * 1000L;
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path tmp;

    private Database db;
    private SiteLinkRepository repository;
    private final SettableClock clock = new SettableClock(T0);

    @BeforeEach
    void open() {
        db = Database.open(new DataDirectory(tmp).create(), 2, true);
        repository = new SiteLinkRepository(db.dataSource());
    }

    @AfterEach
    void close() {
        db.close();
    }

    /**
     * An appliance's remembered figures and their store, as {@code node}, after its start's read;
     * the store's timer makes its first pass a minute later, so the tests run the passes by hand.
     */
    private record Node(SiteThroughput throughput, SiteLinkStore store) {
    }

    private Node start(String node) throws SQLException {
        SiteThroughput throughput = new SiteThroughput(SiteThroughput.REMEMBER_MS);
        SiteLinkStore store = new SiteLinkStore(throughput, repository, site -> !site.equals("closed-office"), clock);
        store.loadStored();
        store.start(node, null);
        return new Node(throughput, store);
    }

    private Map<String, SiteLinkRepository.Row> rows() throws SQLException {
        Map<String, SiteLinkRepository.Row> out = new TreeMap<>();
        for (SiteLinkRepository.Row r : repository.measuredSince(0)) {
            out.put(r.site() + "@" + r.node(), r);
        }
        return out;
    }

    @Test
    void aSitesFigureWrittenBeforeARestartIsRememberedAfterIt() throws Exception {
        Node before = start("a:8443");
        before.throughput().record("townhall", "branch", 2_400, T0 - HOUR);
        before.throughput().record("townhall", "branch", 2_100, T0 - HOUR + 10_000);
        before.throughput().record("townhall", "branch", 2_600, T0 - HOUR + 20_000);
        before.throughput().record("townhall", "hq", 95_000, T0 - HOUR);
        before.store().close(); // a clean stop writes what changed

        clock.advance(HOUR);
        Node after = start("a:8443");
        assertEquals(2_400L, after.throughput().siteFigure("weekly", "branch", clock.millis()),
                "a joiner of the branch is told the figure from before the restart");
        assertEquals(Map.of("branch", new SiteLink(2_400, Instant.ofEpochMilli(T0 - HOUR + 20_000)),
                        "hq", new SiteLink(95_000, Instant.ofEpochMilli(T0 - HOUR))),
                after.throughput().linksBySite(clock.millis()), "the console's WAN link, measured when it was");
        // nothing changed since the start: nothing is written again
        after.store().write(clock.millis(), SiteLinkStore.MAX_WRITES);
        assertEquals(T0, rows().get("branch@a:8443").writtenAt());
        after.store().close();
    }

    @Test
    void anotherApplianceOnTheDatabasePicksUpNewerFiguresAndCountsEachOnce() throws Exception {
        Node a = start("a:8443");
        Node b = start("b:8443");
        a.throughput().record("townhall", "branch", 2_400, T0);
        a.store().write(T0, SiteLinkStore.MAX_WRITES);

        clock.advance(1_000);
        b.store().pickUp(clock.millis());
        assertEquals(2_400L, b.throughput().siteFigure("weekly", "branch", clock.millis()), "b knows what a measured");
        b.store().write(clock.millis(), SiteLinkStore.MAX_WRITES); // b's row now holds a's figure too

        clock.advance(1_000);
        a.store().pickUp(clock.millis());
        a.store().pickUp(clock.millis()); // the same rows again: the pick-ups overlap
        a.throughput().record("townhall", "branch", 9_000, clock.millis());
        assertEquals(9_000L, a.throughput().rememberedBySite(clock.millis()).get("branch").kbps(),
                "2,400 once and 9,000: the upper of two (had a's figure come back from b, 2,400 would be the median)");

        clock.advance(1_000);
        b.throughput().record("weekly", "branch", 3_000, clock.millis());
        b.store().write(clock.millis(), SiteLinkStore.MAX_WRITES);
        a.store().pickUp(clock.millis());
        assertEquals(new SiteLink(3_000, Instant.ofEpochMilli(clock.millis())),
                a.throughput().rememberedBySite(clock.millis()).get("branch"),
                "b's newer figure (3,000 of 2,400 and 3,000) joins a's 2,400 and 9,000");
        a.store().close();
        b.store().close();
    }

    @Test
    void rowsThatCannotBeAFigureAreSkippedWithAWarningNamingTheSite() throws Exception {
        insert("zero-office", "a:8443", 0, T0 - HOUR);
        insert("negative-office", "a:8443", -5, T0 - HOUR);
        insert("future-office", "a:8443", 2_000, T0 + HOUR);
        insert("closed-office", "a:8443", 2_000, T0 - HOUR);
        insert("branch", "a:8443", 2_400, T0 - HOUR);
        insert("yesterday-office", "a:8443", 2_000, T0 - SiteThroughput.REMEMBER_MS - 1);
        List<String> warnings = new CopyOnWriteArrayList<>();
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(SiteLinkStore.class);
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel() == Level.WARN) {
                    warnings.add(event.getFormattedMessage());
                }
            }
        };
        capture.start();
        log.addAppender(capture);
        Node started;
        try {
            started = start("a:8443");
        } finally {
            log.detachAppender(capture);
        }
        assertEquals(Map.of("branch", new SiteLink(2_400, Instant.ofEpochMilli(T0 - HOUR))),
                started.throughput().linksBySite(T0));
        assertNull(started.throughput().siteFigure("s", "yesterday-office", T0), "too old: not read, not a problem");
        assertEquals(4, warnings.size(), warnings.toString());
        for (String site : List.of("zero-office", "negative-office", "future-office", "closed-office")) {
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith(site + " - stored link figure ignored")),
                    site + " in " + warnings);
        }
        started.store().close();
    }

    @Test
    void aPassWritesAtMostItsShareOfChangedSitesAndTheNextPassTheOthers() throws Exception {
        Node a = start("a:8443");
        for (String site : List.of("s1", "s2", "s3")) {
            a.throughput().record("townhall", site, 2_000, T0);
        }
        a.store().write(T0 + 1, 2);
        a.store().write(T0 + 2, 2);
        a.store().write(T0 + 3, 2);
        Map<String, SiteLinkRepository.Row> rows = rows();
        assertEquals(T0 + 1, rows.get("s1@a:8443").writtenAt());
        assertEquals(T0 + 1, rows.get("s2@a:8443").writtenAt());
        assertEquals(T0 + 2, rows.get("s3@a:8443").writtenAt(), "the site left over, not the first two again");
        assertEquals(3, rows.size());

        // a day after its last report a site is forgotten, and its row deleted
        long nextDay = T0 + SiteThroughput.REMEMBER_MS + 1;
        a.store().write(nextDay, 2);
        assertEquals(Map.of(), rows());
        a.store().close();
    }

    private void insert(String site, String node, long kbps, long measuredAt) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO site_link (site, node, kbps, measured_at, written_at) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, site);
            s.setString(2, node);
            s.setLong(3, kbps);
            s.setLong(4, measuredAt);
            s.setLong(5, T0 - HOUR);
            s.executeUpdate();
        }
    }
}
