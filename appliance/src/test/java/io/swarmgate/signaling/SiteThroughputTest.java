package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
