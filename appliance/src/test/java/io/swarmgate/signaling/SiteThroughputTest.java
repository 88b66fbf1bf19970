package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SiteThroughputTest {

    @Test
    void theMedianOfFreshReportsPerStreamAndSite() {
        SiteThroughput t = new SiteThroughput();
        assertNull(t.median("s", "branch", 0));
        t.record("s", "branch", 300, 1_000);
        t.record("s", "branch", 5_000, 2_000); // one viewer on a fast path does not move the median
        t.record("s", "branch", 280, 3_000);
        t.record("s", "hq", 90_000, 3_000);
        t.record("other", "branch", 50_000, 3_000);
        assertEquals(300L, t.median("s", "branch", 4_000));
        assertEquals(90_000L, t.median("s", "hq", 4_000));
        assertNull(t.median("s", "elsewhere", 4_000));
    }

    @Test
    void reportsOlderThanTheWindowNoLongerCountAndIdleSitesAreForgotten() {
        SiteThroughput t = new SiteThroughput();
        t.record("s", "branch", 300, 0);
        t.record("s", "branch", 900, 50_000);
        assertEquals(900L, t.median("s", "branch", 61_000));
        assertNull(t.median("s", "branch", 111_000));
        t.prune(111_000);
        assertEquals(0, t.siteCount());
    }

    @Test
    void theRingKeepsTheNewestSamplesAndIgnoresNonsense() {
        SiteThroughput t = new SiteThroughput();
        t.record("s", "b", 0, 0);
        t.record("s", "b", -5, 0);
        assertNull(t.median("s", "b", 0));
        for (int i = 0; i < SiteThroughput.SAMPLES; i++) {
            t.record("s", "b", 100, i);
        }
        for (int i = 0; i < SiteThroughput.SAMPLES; i++) {
            t.record("s", "b", 700, 100 + i);
        }
        assertEquals(700L, t.median("s", "b", 200));
    }
    @Test
    void aSiteFigureIsRememberedForTheSitesNextStreamUntilItsOwnReportsArrive() {
        SiteThroughput t = new SiteThroughput(SiteThroughput.REMEMBER_MS);
        // yesterday's town hall in the branch office: a thin link
        t.record("townhall", "branch", 2_200, 0);
        t.record("townhall", "branch", 2_100, 10_000);
        t.record("townhall", "hq", 90_000, 10_000);
        long later = 20 * 60 * 60 * 1000L;
        t.prune(later);
        assertEquals(2, t.siteCount(), "the two sites remembered, their streams' rings gone");
        assertNull(t.median("weekly", "branch", later), "no report for the new stream");
        assertEquals(2_200L, t.siteFigure("weekly", "branch", later), "the site's link as last measured");
        assertEquals(2_200L, t.siteFigure("townhall", "branch", later));
        assertNull(t.siteFigure("weekly", "elsewhere", later));
        // the stream's own fresh reports take over
        t.record("weekly", "branch", 40_000, later);
        assertEquals(40_000L, t.siteFigure("weekly", "branch", later + 1_000));
        // a day without a report: forgotten
        long nextDay = later + SiteThroughput.REMEMBER_MS + 1;
        assertNull(t.siteFigure("weekly", "branch", nextDay));
        t.prune(nextDay);
        assertEquals(0, t.siteCount());
    }

    @Test
    void withoutMemoryTheSiteFigureIsTheStreamsAndTheMemoryIsAtLeastTheWindow() {
        SiteThroughput t = new SiteThroughput();
        t.record("a", "branch", 2_000, 0);
        assertNull(t.siteFigure("b", "branch", 1_000));
        assertNull(t.siteFigure("a", "branch", SiteThroughput.WINDOW_MS + 1));
        assertThrows(IllegalArgumentException.class, () -> new SiteThroughput(1_000));
    }
}
