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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoordinatorLeadersTest {

    private final RecordingListener events = new RecordingListener();
    private SwarmRules rules = SwarmRules.defaults().withUploadOnCellular(true);
    private final Coordinator mesh = new Coordinator(stream -> rules, events, SettableClock.at(Instant.parse("2026-01-01T00:00:00Z")), MeshTimings.defaults(), 3);

    @Test
    void eachSiteGetsExactlyTheConfiguredNumberOfLeadersPreferringCapacityThenSeniority() {
        mesh.join(uploader("slow-early", "paris", 1_000));
        mesh.join(uploader("fast", "paris", 50_000));
        mesh.join(uploader("slow-late", "paris", 1_000));
        mesh.join(uploader("lyon-1", "lyon", 1_000));
        assertEquals(List.of("fast", "slow-early"), mesh.leaders(STREAM, "paris"));
        assertEquals(List.of("lyon-1"), mesh.leaders(STREAM, "lyon"), "fewer uploaders than leaders: all of them");
        assertEquals(List.of("fast", "slow-early"), events.leadersOf(STREAM, "paris"));
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
        assertEquals(List.of("u0", "u4"), mesh.leaders(STREAM, "s"), "the strongest remaining uploader steps in");
        assertTrue(events.events.contains(new RecordingListener.Event("leaders", "s", null, List.of("u0", "u4"))));
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
        assertTrue(mesh.leaderFor(STREAM, "s", "seg-1").isEmpty(), "no leader: everyone fetches over HTTP");
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

    @Test
    void leaderForIsDeterministicAndUsesTheRendezvousRule() {
        for (int i = 0; i < 4; i++) {
            mesh.join(uploader("u" + i, "s"));
        }
        List<String> leaders = mesh.leaders(STREAM, "s");
        for (int s = 0; s < 100; s++) {
            String segment = "seg-" + s + ".ts";
            LeaderChoice choice = mesh.leaderFor(STREAM, "s", segment).orElseThrow();
            assertEquals(SegmentLeaders.rank(segment, leaders), choice.ranking());
            assertEquals(choice, mesh.leaderFor(STREAM, "s", segment).orElseThrow());
            assertFalse(choice.primary().equals(choice.backup().orElseThrow()));
        }
    }

    @Test
    void whenALeaderLeavesOnlyItsSegmentsMoveAndTheyGoToTheirBackup() {
        rules = rules.withLeadersPerSite(3);
        for (int i = 0; i < 3; i++) {
            mesh.join(uploader("u" + i, "s"));
        }
        Map<String, LeaderChoice> before = new HashMap<>();
        for (int s = 0; s < 300; s++) {
            before.put("seg-" + s, mesh.leaderFor(STREAM, "s", "seg-" + s).orElseThrow());
        }
        mesh.leave("u1");
        before.forEach((segment, old) -> {
            String now = mesh.leaderFor(STREAM, "s", segment).orElseThrow().primary();
            assertEquals(old.primary().equals("u1") ? old.backup().orElseThrow() : old.primary(), now, segment);
        });
    }
}
