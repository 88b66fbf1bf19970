package io.swarmgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.mesh.UnassignReason;
import org.junit.jupiter.api.Test;

/** When the listener opens and closes the pairs' channels, from the coordinator's events. */
class SimListenerTest {

    private static SimListener listener(SimViewers viewers, SimClock clock, int connectMs) {
        return new SimListener(Scenario.of(10, 1, 1, 300_000).withConnectMedianMs(connectMs), viewers, clock);
    }

    private static SimViewers viewers(int n) {
        SimViewers viewers = new SimViewers(n, 1);
        java.util.Arrays.fill(viewers.firstChannelAt, -1);
        java.util.Arrays.fill(viewers.firstNeighbourAt, -1);
        for (int v = 0; v < n; v++) {
            viewers.nextGeneration(v, true);
        }
        return viewers;
    }

    @Test
    void aChannelOpensAfterBothPlayersStartedAndItsSetUpTime() {
        SimViewers viewers = viewers(2);
        SimClock clock = new SimClock();
        viewers.joinedAt[0] = 0;
        viewers.joinedAt[1] = 200;
        clock.moveTo(300);
        SimListener listener = listener(viewers, clock, 500);
        listener.assigned(viewers.id(0), viewers.id(1), true);
        listener.assigned(viewers.id(1), viewers.id(0), false);
        long at = listener.channels.openAt(0, 1);
        assertTrue(at > 200 + Scenario.PLAYER_START_MS && at <= 200 + Scenario.PLAYER_START_MS + Scenario.CONNECT_TIMEOUT_MS,
                "after the later joiner's player start, within the connect timeout: " + at);
        assertEquals(at, viewers.firstChannelAt[0]);
        assertEquals(at, viewers.firstChannelAt[1]);
        assertEquals(1, listener.channels.size(), "one entry per pair");
    }

    @Test
    void anOldPeerIdsLateSeparationLeavesTheNewPeersChannelOpen() {
        SimViewers viewers = viewers(2);
        SimClock clock = new SimClock();
        SimListener listener = listener(viewers, clock, 0);
        String old = viewers.id(1);
        listener.assigned(viewers.id(0), old, true);
        // Viewer 1 vanished (held for the resume grace) and came back as a new peer, paired again.
        viewers.nextGeneration(1, false);
        listener.assigned(viewers.id(0), viewers.id(1), true);
        // The old peer's grace ends: the coordinator separates it from its former neighbour.
        listener.unassigned(viewers.id(0), old, UnassignReason.RESUME_EXPIRED);
        assertEquals(0, listener.channels.openAt(0, 1), "the new peer's channel stays");
        listener.unassigned(viewers.id(0), viewers.id(1), UnassignReason.NEIGHBOUR_LEFT);
        assertEquals(SimChannels.NONE, listener.channels.openAt(0, 1));
    }
}
