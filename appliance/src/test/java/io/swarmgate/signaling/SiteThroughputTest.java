package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    @Test
    void eachSitesLinkIsTheMedianOverAllItsStreamsWithTheNewestReportsTime() {
        SiteThroughput t = new SiteThroughput(SiteThroughput.REMEMBER_MS);
        assertEquals(Map.of(), t.linksBySite(0));
        t.record("townhall", "branch", 2_000, 1_000);
        t.record("townhall", "branch", 2_400, 5_000);
        t.record("weekly", "branch", 90_000, 3_000); // one fast viewer on another stream
        t.record("weekly", "branch", 2_200, 2_000);
        t.record("townhall", "hq", 400_000, 4_000);
        Map<String, SiteLink> links = t.linksBySite(10_000);
        assertEquals(new SiteLink(2_400, Instant.ofEpochMilli(5_000)), links.get("branch"),
                "the median of 2,000, 2,200, 2,400 and 90,000 (the upper one of an even count), measured at the newest");
        assertEquals(new SiteLink(400_000, Instant.ofEpochMilli(4_000)), links.get("hq"));
        assertEquals(2, links.size());
        assertEquals(Map.of("branch", 2_400L, "hq", 400_000L), t.mediansBySite(10_000));
    }

    @Test
    void aSiteWithoutFreshReportsShowsItsRememberedLinkAndWhenItWasMeasured() {
        SiteThroughput t = new SiteThroughput(SiteThroughput.REMEMBER_MS);
        t.record("townhall", "branch", 2_100, 0);
        t.record("townhall", "branch", 2_300, 10_000);
        t.record("townhall", "branch", 2_200, 20_000);
        t.record("weekly", "hq", 300_000, 20_000);
        long hourLater = 20_000 + 60 * 60 * 1000L;
        t.record("weekly", "hq", 250_000, hourLater);
        Map<String, SiteLink> links = t.linksBySite(hourLater + 1_000);
        assertEquals(new SiteLink(2_200, Instant.ofEpochMilli(20_000)), links.get("branch"), "remembered");
        assertEquals(new SiteLink(250_000, Instant.ofEpochMilli(hourLater)), links.get("hq"),
                "fresh reports, not the remembered ones, once there are any");
        // the figure shown is the one a joiner of any stream there is told now
        assertEquals(2_200L, t.siteFigure("another", "branch", hourLater + 1_000));
        // the remembered figure (what is stored) is the day's reports, where the console shows the last minute's
        assertEquals(Map.of("branch", new SiteLink(2_200, Instant.ofEpochMilli(20_000)),
                "hq", new SiteLink(300_000, Instant.ofEpochMilli(hourLater))), t.rememberedBySite(hourLater + 1_000));
        long nextDay = 20_000 + SiteThroughput.REMEMBER_MS + 1;
        assertFalse(t.linksBySite(nextDay).containsKey("branch"), "forgotten after a day");

        SiteThroughput upload = new SiteThroughput();
        upload.record("townhall", "branch", 9_000, 0);
        assertEquals(Map.of(), upload.linksBySite(SiteThroughput.WINDOW_MS + 1), "nothing remembered without memory");
        assertEquals(Map.of(), upload.rememberedBySite(0));
    }

    @Test
    void aStoredFigureCountsAsOneRememberedReportOnlyWhenNewerThanAnyTheSiteHolds() {
        SiteThroughput t = new SiteThroughput(SiteThroughput.REMEMBER_MS);
        long hour = 60 * 60 * 1000L;
        long now = 30 * hour;
        // stored before a restart: the branch's thin link, measured an hour ago
        assertTrue(t.remember("branch", 2_400, now - hour, now));
        assertEquals(2_400L, t.siteFigure("townhall", "branch", now), "told to the first joiner after the restart");
        assertEquals(new SiteLink(2_400, Instant.ofEpochMilli(now - hour)), t.linksBySite(now).get("branch"));
        // the same row read again, and an older figure: nothing more counts
        assertFalse(t.remember("branch", 2_400, now - hour, now));
        assertFalse(t.remember("branch", 90_000, now - 2 * hour, now));
        // another appliance's newer figure is one more report
        assertTrue(t.remember("branch", 3_000, now - hour / 2, now));
        assertEquals(new SiteLink(3_000, Instant.ofEpochMilli(now - hour / 2)), t.linksBySite(now).get("branch"),
                "the upper of two, measured at the newer");
        // the site's own reports join them, and make a figure measured before them older news
        t.record("weekly", "branch", 2_000, now);
        assertEquals(2_400L, t.rememberedBySite(now).get("branch").kbps(), "the median of 2,000, 2,400 and 3,000");
        assertFalse(t.remember("branch", 50_000, now - 1, now));
        // older than the memory, no throughput, or no memory at all: never taken
        assertFalse(t.remember("hq", 90_000, now - SiteThroughput.REMEMBER_MS - 1, now));
        assertFalse(t.remember("hq", 0, now, now));
        assertFalse(new SiteThroughput().remember("hq", 90_000, now, now));
        assertEquals(Map.of("branch", new SiteLink(2_400, Instant.ofEpochMilli(now))), t.rememberedBySite(now));
    }

    @Test
    void aLinkUnderTheSdksThresholdIsCongested() {
        assertTrue(new SiteLink(SiteLink.CONGESTED_BELOW_KBPS - 1, Instant.EPOCH).congested());
        assertFalse(new SiteLink(SiteLink.CONGESTED_BELOW_KBPS, Instant.EPOCH).congested());
        assertFalse(new SiteLink(90_000, Instant.EPOCH).congested());
    }

    @Test
    void theCongestionThresholdIsTheSdks() throws IOException {
        String scheduler = Files.readString(Path.of("../sdk/src/core/scheduler.js"));
        Matcher m = Pattern.compile("export const CONGESTED_SITE_BPS = ([0-9_]+);").matcher(scheduler);
        assertTrue(m.find(), "sdk/src/core/scheduler.js declares CONGESTED_SITE_BPS");
        assertEquals(Long.parseLong(m.group(1).replace("_", "")), SiteLink.CONGESTED_BELOW_KBPS * 1000,
                "SiteLink.CONGESTED_BELOW_KBPS (kbit/s) is the SDK's CONGESTED_SITE_BPS (bit/s)");
    }
}
