package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeFixture.T0;
import static io.swarmgate.qoe.QoeFixture.failures;
import static io.swarmgate.qoe.QoeFixture.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Derived figures computed from a small set of known reports, from the database and from memory. */
class QoeAggregationTest {

    private static final double EPS = 1e-9;

    @TempDir
    Path tmp;

    /**
     * Minute 10:00: town-hall/paris peers a (twice) and b, town-hall/berlin peer c, training/paris
     * peer d (only P2P failures). 4 MB over HTTP, 6 MB over P2P, 2 s of stalls in 50 s watched,
     * startups of 400, 1200 and 2500 ms.
     */
    private static void feedKnownMinute(QoeFixture f) {
        f.clock.set(T0.plusSeconds(5));
        f.aggregator.accept("town-hall", "paris", "a", report(1_000_000, 3_000_000, 500, 10_000, 400L));
        f.aggregator.accept("town-hall", "paris", "b", report(1_000_000, 1_000_000, 0, 10_000, 1200L));
        f.aggregator.accept("town-hall", "berlin", "c", report(2_000_000, 0, 1500, 10_000, 2500L));
        f.clock.set(T0.plusSeconds(15));
        f.aggregator.accept("town-hall", "paris", "a", report(0, 2_000_000, 0, 10_000, null));
        f.aggregator.accept("training", "paris", "d", failures(3, 1, 0, 2, 4, 5));
    }

    @Test
    void historyDerivesEfficiencyBitratesRebufferingStartupAndFailuresOverallPerStreamAndPerSite() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            feedKnownMinute(f);
            f.clock.set(T0.plusSeconds(70));
            assertEquals(3, f.aggregator.flush());

            QoeQueries.History h = f.queries.history(T0, T0.plusSeconds(60), QoeQueries.Step.MINUTE, null, null);
            assertEquals(QoeQueries.Step.MINUTE, h.source());
            assertEquals(1, h.points().size());
            QoeFigures all = h.overall();
            assertEquals(4.0, all.viewers(), EPS);
            assertEquals(4L, all.peakViewers());
            assertEquals(0.6, all.peerEfficiency(), EPS);
            assertEquals(4_000_000 * 8 / 60.0, all.httpBitrateBps(), EPS);
            assertEquals(6_000_000 * 8 / 60.0, all.p2pBitrateBps(), EPS);
            assertEquals(0.04, all.rebufferRatio(), EPS);
            assertEquals(3, all.startups());
            // 400 in (250,500], 1200 in (1000,1500], 2500 in (2000,3000]: interpolated inside the bucket.
            assertEquals(1250.0, all.startupP50Ms(), EPS);
            assertEquals(2850.0, all.startupP95Ms(), EPS);
            assertEquals(new QoeFigures.WhyNotP2p(3, 1, 0, 2, 4, 5, 15), all.whyNotP2p());
            assertEquals(5, all.reports());
            assertEquals(3000.0, all.avgBitrateKbps(), EPS);
            assertEquals(all, h.points().get(0).figures());

            QoeFigures townHall = h.byStream().get("town-hall");
            assertEquals(0.6, townHall.peerEfficiency(), EPS);
            assertEquals(2000.0 / 40_000, townHall.rebufferRatio(), EPS);
            assertEquals(3.0, townHall.viewers(), EPS);
            QoeFigures training = h.byStream().get("training");
            assertNull(training.peerEfficiency(), "no bytes: efficiency is unknown, not 0");
            assertEquals(15, training.whyNotP2p().total());

            QoeFigures paris = h.bySite().get("paris");
            assertEquals(0.75, paris.peerEfficiency(), EPS);
            assertEquals(3.0, paris.viewers(), EPS);
            assertEquals(500.0 / 40_000, paris.rebufferRatio(), EPS);
            QoeFigures berlin = h.bySite().get("berlin");
            assertEquals(0.0, berlin.peerEfficiency(), EPS);
            assertEquals(0.15, berlin.rebufferRatio(), EPS);
            assertEquals(2_000_000 * 8 / 60.0, berlin.httpBitrateBps(), EPS);

            QoeQueries.History parisOnly = f.queries.history(T0, T0.plusSeconds(60), QoeQueries.Step.MINUTE,
                    null, "paris");
            assertEquals(0.75, parisOnly.overall().peerEfficiency(), EPS);
            assertEquals(java.util.Set.of("town-hall", "training"), parisOnly.byStream().keySet());
            assertEquals(Map.of("paris", paris), parisOnly.bySite());
        }
    }

    @Test
    void hourStepOverMinuteRowsAveragesViewersAndKeepsThePeakMinute() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            feedKnownMinute(f);
            f.clock.set(T0.plusSeconds(65));
            f.aggregator.accept("town-hall", "paris", "a", report(1_000, 1_000, 0, 10_000, null));
            f.clock.set(T0.plusSeconds(130));
            f.aggregator.flush();

            QoeQueries.History h = f.queries.history(T0, T0.plusSeconds(3600), QoeQueries.Step.HOUR, null, null);
            assertEquals(QoeQueries.Step.HOUR, h.step());
            assertEquals(1, h.points().size());
            QoeFigures hour = h.points().get(0).figures();
            assertEquals(5.0 / 60, hour.viewers(), EPS, "4 viewers in one minute and 1 in the next, averaged over the hour");
            assertEquals(4L, hour.peakViewers());
            assertEquals(4_001_000 * 8 / 3600.0, hour.httpBitrateBps(), EPS);
        }
    }

    @Test
    void rangesLongerThanTwoDaysAreReadFromHourlyRowsInHourSteps() throws Exception {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            QoeQueries.History h = f.queries.history(T0.minus(Duration.ofDays(3)), T0, QoeQueries.Step.MINUTE, null, null);
            assertEquals(QoeQueries.Step.HOUR, h.source());
            assertEquals(QoeQueries.Step.HOUR, h.step());
            assertEquals(72, h.points().size());
            assertEquals(0.0, h.overall().viewers(), EPS);
        }
    }

    @Test
    void liveViewCombinesConnectedViewersWithTheLastMinuteOfReports() {
        try (QoeFixture f = new QoeFixture(tmp, T0)) {
            f.liveViewers.put("town-hall", Map.of("paris", 2, "berlin", 1));
            f.liveViewers.put("training", Map.of("paris", 1));
            f.liveViewers.put("just-joined", Map.of("lyon", 1));
            feedKnownMinute(f);
            f.clock.set(T0.plusSeconds(30));

            QoeQueries.LiveView live = f.queries.live();
            assertEquals(5.0, live.overall().viewers(), EPS);
            assertEquals(0.6, live.overall().peerEfficiency(), EPS);
            assertEquals(4_000_000 * 8 / 60.0, live.overall().httpBitrateBps(), EPS);
            assertEquals(1.0, live.byStream().get("just-joined").viewers(), EPS,
                    "a viewer that has not reported yet is counted at once");
            assertEquals(3.0, live.bySite().get("paris").viewers(), EPS);
            assertEquals(0.15, live.bySite().get("berlin").rebufferRatio(), EPS);

            // 30 s into the next minute, half of the previous minute is still inside the window.
            f.clock.set(T0.plusSeconds(90));
            f.aggregator.flush();
            QoeQueries.LiveView later = f.queries.live();
            assertEquals(2_000_000 * 8 / 60.0, later.overall().httpBitrateBps(), 1e-6);
            assertEquals(0.6, later.overall().peerEfficiency(), EPS);
        }
    }

    @Test
    void startupPercentilesOfAnEmptyHistogramAreUnknown() {
        assertNull(QoeColumns.startupQuantile(new double[QoeColumns.COUNT], 0.5));
        double[] sums = new double[QoeColumns.COUNT];
        sums[QoeColumns.startupBucket(45_000)] = 1;
        assertEquals(30_000.0, QoeColumns.startupQuantile(sums, 0.95), EPS, "overflow bucket answers its lower bound");
    }
}
