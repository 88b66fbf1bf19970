package io.swarmgate.signaling;

import static io.swarmgate.signaling.ConnectReports.Change.MAY_LEAD;
import static io.swarmgate.signaling.ConnectReports.Change.NONE;
import static io.swarmgate.signaling.ConnectReports.Change.STOP_LEADING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConnectReportsTest {

    private static InetAddress at(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    }

    @Test
    void failuresWithTwoOtherAddressesAndNoChannelOpenStopTheLeadOnce() throws Exception {
        ConnectReports reports = new ConnectReports();
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(2)));
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(2)), "the same desk again");
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(1)), "a session at its own address does not count");
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(3)), "its own report has not said none is open");
        assertEquals(STOP_LEADING, reports.reported("p-fw", false));
        assertEquals(NONE, reports.reported("p-fw", false), "only once");
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(4)));
        assertEquals(ConnectReports.TO_STOP_LEADING, reports.failedWith("p-fw"), "no more addresses kept than needed");
    }

    @Test
    void theReportOfNoneOpenMayComeFirstAndAChannelOpenLetsItLeadAgainWithItsFailuresStartingOver() throws Exception {
        ConnectReports reports = new ConnectReports();
        assertEquals(NONE, reports.reported("p-fw", false), "no colleague yet: nothing failed");
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(2)));
        assertEquals(STOP_LEADING, reports.connectFailed("p-fw", at(1), at(3)));
        assertEquals(MAY_LEAD, reports.reported("p-fw", true));
        assertEquals(NONE, reports.reported("p-fw", true));
        assertEquals(0, reports.failedWith("p-fw"));
        assertEquals(NONE, reports.reported("p-fw", false), "its colleagues left: nothing failed since");
        assertEquals(NONE, reports.connectFailed("p-fw", at(1), at(2)));
        assertEquals(STOP_LEADING, reports.connectFailed("p-fw", at(1), at(4)));
    }

    @Test
    void aViewerWithAChannelOpenLeadsWhateverFailsAroundIt() throws Exception {
        // A site whose subnets cannot reach each other over UDP: pairings across them fail, those
        // on its own subnet open.
        ConnectReports reports = new ConnectReports();
        assertEquals(NONE, reports.reported("p-subnet", true));
        for (int i = 2; i < 10; i++) {
            assertEquals(NONE, reports.connectFailed("p-subnet", at(1), at(i)));
        }
    }

    @Test
    void onlyTheLastPeersHeardOfAreRemembered() throws Exception {
        ConnectReports reports = new ConnectReports();
        reports.connectFailed("p-first", at(1), at(2));
        for (int i = 0; i < ConnectReports.MAX_PEERS; i++) {
            reports.connectFailed("p-" + i, at(1), at(2));
        }
        assertEquals(0, reports.failedWith("p-first"), "the longest not heard of went first");
        assertEquals(1, reports.failedWith("p-" + (ConnectReports.MAX_PEERS - 1)));
    }
}
