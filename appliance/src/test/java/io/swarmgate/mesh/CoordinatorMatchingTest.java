package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.cellular;
import static io.swarmgate.mesh.Viewers.downloader;
import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoordinatorMatchingTest {

    private final RecordingListener events = new RecordingListener();
    private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, PeerInfo> live = new LinkedHashMap<>();
    private SwarmRules rules = SwarmRules.defaults();
    private final Coordinator mesh = new Coordinator(stream -> rules, events, clock, MeshTimings.defaults(), 7);

    private JoinResult join(PeerInfo peer) {
        live.put(peer.peerId(), peer);
        return mesh.join(peer);
    }

    private void assertInvariants() {
        MeshInvariants.check(mesh, events, live, rules, Set.of());
    }

    @Test
    void neighboursStayInTheirOwnSiteWhenTheBoundaryIsClosed() {
        for (int i = 0; i < 40; i++) {
            join(uploader("p" + i, "site-" + (i % 3)));
        }
        for (PeerInfo peer : live.values()) {
            for (String other : mesh.neighbours(peer.peerId())) {
                assertEquals(peer.site(), live.get(other).site());
            }
        }
        assertInvariants();
    }

    @Test
    void mdnsOnlyViewersAreMatchedOnTheirOwnLinkWithLeadersOfTheirOwn() {
        rules = rules.withSiteGroups(Set.of(Set.of("paris", "lyon")));
        for (int i = 0; i < 6; i++) {
            join(new PeerInfo("a" + i, Viewers.STREAM, "paris", true, NetworkType.ETHERNET, 0, "10.1.1.0/24"));
            join(new PeerInfo("b" + i, Viewers.STREAM, "paris", true, NetworkType.ETHERNET, 0, "10.1.2.0/24"));
        }
        join(uploader("lyon-up", "lyon"));
        join(uploader("paris-exposed", "paris"));
        for (PeerInfo peer : live.values()) {
            if (peer.link() == null) {
                continue;
            }
            for (String other : mesh.neighbours(peer.peerId())) {
                assertEquals(peer.swarm(), live.get(other).swarm(), peer.peerId() + " paired with " + other);
            }
        }
        assertEquals(5, mesh.neighbours("a0").size(), "everyone on its link");
        assertEquals(2, mesh.leaders(Viewers.STREAM, "paris@10.1.1.0/24").size());
        assertEquals(2, mesh.leaders(Viewers.STREAM, "paris@10.1.2.0/24").size());
        assertEquals(List.of("paris-exposed"), mesh.leaders(Viewers.STREAM, "paris"));
        assertEquals(Set.of("lyon-up"), mesh.neighbours("paris-exposed"), "site groups still apply to the rest");
    }

    @Test
    void aSiteGroupLetsGroupedSitesShareButNotOthers() {
        rules = rules.withSiteGroups(Set.of(Set.of("paris", "lyon")));
        join(downloader("paris-viewer", "paris"));
        join(uploader("berlin-up", "berlin"));
        assertTrue(mesh.neighbours("paris-viewer").isEmpty());
        join(uploader("lyon-up", "lyon"));
        assertEquals(Set.of("lyon-up"), mesh.neighbours("paris-viewer"));
        assertInvariants();
    }

    @Test
    void sameSiteCandidatesAreUsedBeforeGroupedSites() {
        rules = rules.withDegree(1, 3).withSiteGroups(Set.of(Set.of("paris", "lyon")));
        join(uploader("lyon-1", "lyon", 90_000));
        assertEquals(List.of("lyon-1"), join(uploader("paris-1", "paris")).neighbourIds(), "the group fills in when the site is empty");
        // lyon-1 is stronger and has free slots, but paris-1 is in the joiner's own site.
        assertEquals(List.of("paris-1"), join(uploader("paris-2", "paris")).neighbourIds());
        assertInvariants();
    }

    @Test
    void nobodyExceedsTheNeighbourCapEvenWithManyDownloaders() {
        rules = rules.withDegree(3, 4);
        join(uploader("up", "s"));
        for (int i = 0; i < 12; i++) {
            join(downloader("d" + i, "s"));
        }
        assertEquals(4, mesh.neighbours("up").size());
        assertInvariants();
    }

    @Test
    void uploadersKeepTwoUploaderNeighboursWhenDownloadOnlyViewersFloodTheSite() {
        // More download-only viewers than free slots: they take slots from saturated uploaders.
        // Only uploaders relay a segment, so an uploader whose neighbours all download only is an
        // island that fetches every segment over the WAN itself.
        for (int i = 0; i < 100; i++) {
            join(uploader("u" + i, "s"));
        }
        for (int i = 0; i < 150; i++) {
            join(downloader("d" + i, "s"));
        }
        assertInvariants();
        for (int i = 0; i < 100; i++) {
            long uploaders = mesh.neighbours("u" + i).stream().filter(n -> n.startsWith("u")).count();
            assertTrue(uploaders >= 2, "u" + i + " has " + uploaders + " uploader neighbours: " + mesh.neighbours("u" + i));
        }
    }

    @Test
    void twoNonUploadersAreNeverPaired() {
        for (int i = 0; i < 10; i++) {
            join(downloader("d" + i, "s"));
            join(cellular("c" + i, "s"));
        }
        live.keySet().forEach(id -> assertTrue(mesh.neighbours(id).isEmpty(), id));
        JoinResult up = join(uploader("up", "s"));
        assertEquals(SwarmRules.DEFAULT_MAX_NEIGHBOURS, up.pairings().size(), "the uploader adopts starving viewers up to its cap");
        assertInvariants();
    }

    @Test
    void downloadOnlyAndCellularViewersAttachToTheStrongestUploaders() {
        rules = rules.withDegree(2, 10).withSiteMode("branch", P2pMode.DOWNLOAD_ONLY);
        join(uploader("weak", "hq", 500));
        join(uploader("strong", "hq", 90_000));
        join(uploader("medium", "hq", 20_000));
        JoinResult phone = join(cellular("phone", "hq"));
        assertFalse(phone.uploader());
        assertEquals(Set.of("strong", "medium"), Set.copyOf(phone.neighbourIds()));

        JoinResult branch = join(new PeerInfo("branch-pc", Viewers.STREAM, "branch", true, NetworkType.ETHERNET, 80_000));
        assertEquals(P2pMode.DOWNLOAD_ONLY, branch.mode());
        assertFalse(branch.uploader(), "download-only never uploads even if it could");
        assertInvariants();
    }

    @Test
    void cellularViewersUploadWhenThePolicyAllowsIt() {
        rules = rules.withUploadOnCellular(true);
        join(downloader("d", "s"));
        JoinResult phone = join(cellular("phone", "s"));
        assertTrue(phone.uploader());
        assertEquals(List.of("d"), phone.neighbourIds());
    }

    @Test
    void aSiteWithP2pOffGetsNoNeighboursAtAll() {
        rules = rules.withSiteMode("kiosk", P2pMode.OFF);
        join(uploader("u1", "kiosk"));
        JoinResult second = join(uploader("u2", "kiosk"));
        assertEquals(P2pMode.OFF, second.mode());
        assertTrue(second.pairings().isEmpty());
        assertTrue(mesh.neighbours("u1").isEmpty());
        assertTrue(mesh.leaders(Viewers.STREAM, "kiosk").isEmpty());
        assertInvariants();
    }

    @Test
    void exactlyOneSideOfEveryPairOffersAndItIsTheJoiner() {
        join(uploader("first", "s"));
        JoinResult second = join(uploader("second", "s"));
        assertEquals(List.of(new Pairing("second", "first")), second.pairings());
        List<RecordingListener.Event> assigned = events.events.stream().filter(e -> e.kind().equals("assigned")).toList();
        assertEquals(List.of(new RecordingListener.Event("assigned", "second", "first", true),
                new RecordingListener.Event("assigned", "first", "second", false)), assigned);
    }

    @Test
    void everyPairInABusySwarmHasExactlyOneOfferer() {
        for (int i = 0; i < 60; i++) {
            join(i % 3 == 0 ? downloader("p" + i, "s") : uploader("p" + i, "s"));
        }
        Map<String, Integer> offers = new LinkedHashMap<>();
        for (RecordingListener.Event e : events.events) {
            if (e.kind().equals("assigned") && (Boolean) e.detail()) {
                offers.merge(MeshInvariants.pairKey(e.peerId(), e.otherId()), 1, Integer::sum);
            }
            if (e.kind().equals("assigned") && !(Boolean) e.detail()) {
                offers.merge(MeshInvariants.pairKey(e.peerId(), e.otherId()), 0, Integer::sum);
            }
        }
        offers.forEach((pair, n) -> assertEquals(1, n, pair));
    }

    @Test
    void theRelayCheckKnowsOnlyAssignedPairs() {
        join(uploader("a", "s"));
        join(uploader("b", "s"));
        join(uploader("x", "elsewhere"));
        assertTrue(mesh.isNeighbour("a", "b"));
        assertTrue(mesh.isNeighbour("b", "a"));
        assertFalse(mesh.isNeighbour("a", "x"));
        assertFalse(mesh.isNeighbour("nobody", "a"));
    }

    @Test
    void joiningTwiceWithTheSamePeerIdIsRefused() {
        join(uploader("a", "s"));
        assertThrows(IllegalStateException.class, () -> mesh.join(uploader("a", "s")));
    }

    @Test
    void streamsNeverShareNeighbours() {
        join(uploader("a", "s"));
        live.put("b", new PeerInfo("b", "other-stream", "s", true, NetworkType.ETHERNET, 1));
        mesh.join(live.get("b"));
        assertTrue(mesh.neighbours("a").isEmpty());
    }
}
