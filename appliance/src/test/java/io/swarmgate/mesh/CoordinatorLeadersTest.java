package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.STREAM;
import static io.swarmgate.mesh.Viewers.cellular;
import static io.swarmgate.mesh.Viewers.downloader;
import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorLeadersTest {

    private final RecordingListener events = new RecordingListener();
    private SwarmRules rules = SwarmRules.defaults().withUploadOnCellular(true);
    private final Coordinator mesh = new Coordinator(stream -> rules, events, SettableClock.at(Instant.parse("2026-01-01T00:00:00Z")), MeshTimings.defaults(), 3);

    @Test
    void eachSiteGetsExactlyTheConfiguredNumberOfLeadersBySeniorityWhateverCapacityTheyClaim() {
        mesh.join(uploader("early", "paris", 1_000));
        mesh.join(uploader("second", "paris", 1_000));
        mesh.join(uploader("claims-10-gbps", "paris", 10_000_000));
        mesh.join(uploader("lyon-1", "lyon", 1_000));
        assertEquals(List.of("early", "second"), mesh.leaders(STREAM, "paris"));
        assertEquals(List.of("lyon-1"), mesh.leaders(STREAM, "lyon"), "fewer uploaders than leaders: all of them");
        assertEquals(List.of("early", "second"), events.leadersOf(STREAM, "paris"));
    }

    @Test
    void aClaimedCapacityDoesNotWinAFreedSlot() {
        mesh.join(uploader("a", "s", 100));
        mesh.join(uploader("b", "s", 100));
        mesh.join(uploader("c", "s", 100));
        mesh.join(uploader("liar", "s", 10_000_000));
        mesh.leave("a");
        assertEquals(List.of("b", "c"), mesh.leaders(STREAM, "s"), "the longest connected steps in, not the loudest");
    }

    /** Uploaders a, b and c join site s in that order (a and b lead); the events so far are dropped. */
    private void joinABC() {
        for (String id : List.of("a", "b", "c")) {
            mesh.join(uploader(id, "s", 100));
        }
        events.clear();
    }

    @Test
    void aDistrustedPeerStopsLeadingAndIsNeverElectedAgain() {
        joinABC();
        assertTrue(mesh.distrust("a"));
        assertEquals(List.of("b", "c"), mesh.leaders(STREAM, "s"));
        assertTrue(events.events.contains(new RecordingListener.Event("leaders", "s", null, List.of("b", "c"))));
        mesh.leave("b");
        assertEquals(List.of("c"), mesh.leaders(STREAM, "s"), "a distrusted peer is not a candidate");
    }

    @Test
    void aPeerThatReachesNoNeighbourLeadsAgainOnlyOnceItDoesConnectedAndWhereAPlaceIsFree() {
        joinABC();
        assertTrue(mesh.reachable("a", false));
        assertFalse(mesh.reachable("a", false), "nothing changed");
        assertEquals(List.of("b", "c"), mesh.leaders(STREAM, "s"));
        assertTrue(events.events.contains(new RecordingListener.Event("leaders", "s", null, List.of("b", "c"))));
        assertTrue(mesh.reachable("a", true));
        assertEquals(List.of("b", "c"), mesh.leaders(STREAM, "s"), "leaders are sticky");
        mesh.suspend("a");
        mesh.leave("b");
        assertEquals(List.of("c"), mesh.leaders(STREAM, "s"), "a suspended peer is no candidate, reachable or not");
        mesh.resume("a");
        assertEquals(List.of("a", "c"), mesh.leaders(STREAM, "s"), "a place was free");
    }

    @Test
    void theNumberOfLeadersFollowsThePolicy() {
        rules = rules.withLeadersPerSite(3);
        for (int i = 0; i < 6; i++) {
            mesh.join(uploader("u" + i, "s", 1_000));
        }
        assertEquals(List.of("u0", "u1", "u2"), mesh.leaders(STREAM, "s"), "equal capacity: earliest joined");
    }

    @Test
    void aLeaderThatLeavesIsReplacedAtOnceAndTheListenerIsTold() {
        for (int i = 0; i < 5; i++) {
            mesh.join(uploader("u" + i, "s", 1_000 * (i + 1)));
        }
        // Elected as they arrived; leaders are sticky.
        assertEquals(List.of("u0", "u1"), mesh.leaders(STREAM, "s"));
        events.clear();
        mesh.leave("u1");
        assertEquals(List.of("u0", "u2"), mesh.leaders(STREAM, "s"), "the longest connected remaining uploader steps in");
        assertTrue(events.events.contains(new RecordingListener.Event("leaders", "s", null, List.of("u0", "u2"))));
    }

    @Test
    void leadersAreStickyWhenABetterUploaderJoins() {
        mesh.join(uploader("a", "s", 100));
        mesh.join(uploader("b", "s", 100));
        int changes = events.leaderChanges.get(STREAM + "/s");
        mesh.join(uploader("c", "s", 1_000_000));
        assertEquals(List.of("a", "b"), mesh.leaders(STREAM, "s"));
        assertEquals(changes, events.leaderChanges.get(STREAM + "/s"));
    }

    @Test
    void cellularAndDownloadOnlyViewersAreNeverLeaders() {
        rules = rules.withSiteMode("branch", P2pMode.DOWNLOAD_ONLY);
        mesh.join(cellular("phone", "s"));
        mesh.join(downloader("laptop", "s"));
        mesh.join(uploader("branch-pc", "branch"));
        assertTrue(mesh.leaders(STREAM, "s").isEmpty());
        assertTrue(mesh.leaders(STREAM, "branch").isEmpty());
        mesh.join(uploader("desk", "s"));
        assertEquals(List.of("desk"), mesh.leaders(STREAM, "s"));
    }

    @Test
    void theLastLeaderLeavingEmptiesTheListAndSaysSo() {
        mesh.join(uploader("only", "s"));
        mesh.join(downloader("watcher", "s"));
        mesh.leave("only");
        assertEquals(List.of(), mesh.leaders(STREAM, "s"));
        assertEquals(List.of(), events.leadersOf(STREAM, "s"));
    }
}
