package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class StallReportsTest {

    private static InetAddress at(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    }

    @Test
    void theSecondReportingAddressStopsTheLeadOnceAndOneAddressCountsOnce() throws Exception {
        StallReports reports = new StallReports();
        assertFalse(reports.report("p-slow", at(1)));
        assertFalse(reports.report("p-slow", at(1)), "the same desk again");
        assertTrue(reports.report("p-slow", at(2)));
        assertFalse(reports.report("p-slow", at(3)), "only once");
        assertEquals(StallReports.TO_STOP_LEADING, reports.reporters("p-slow"), "no more addresses kept than needed");
        assertFalse(reports.report("p-other", at(2)), "each peer on its own count");
    }

    @Test
    void onlyTheLastReportedPeersAreRemembered() throws Exception {
        StallReports reports = new StallReports();
        reports.report("p-first", at(1));
        for (int i = 0; i < StallReports.MAX_PEERS; i++) {
            reports.report("p-" + i, at(1));
        }
        assertEquals(0, reports.reporters("p-first"), "the longest unreported went first");
        assertEquals(1, reports.reporters("p-" + (StallReports.MAX_PEERS - 1)));
    }
}
