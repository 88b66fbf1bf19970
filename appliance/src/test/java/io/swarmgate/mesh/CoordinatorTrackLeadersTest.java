package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.STREAM;
import static io.swarmgate.mesh.Viewers.cellular;
import static io.swarmgate.mesh.Viewers.downloader;
import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Leaders per rendition: each rendition a site's viewers play leads from among its own viewers. */
class CoordinatorTrackLeadersTest {

    private static final String LOW = "main:1";
    private static final String HIGH = "main:0";

    private final RecordingListener events = new RecordingListener();
    private final Coordinator mesh = new Coordinator(stream -> SwarmRules.defaults(), events,
            SettableClock.at(Instant.parse("2026-01-01T00:00:00Z")), MeshTimings.defaults(), 3);

    private Map<String, List<String>> byTrack() {
        return mesh.siteLeaders(STREAM, "s").tracks();
    }

    /** Uploaders a–e join site s; a and b play the lower rendition, c, d and e the higher. */
    private void joinTwoRenditions() {
        for (String id : List.of("a", "b", "c", "d", "e")) {
            mesh.join(uploader(id, "s"));
        }
        mesh.tracks("a", List.of(LOW));
        mesh.tracks("b", List.of(LOW));
        for (String id : List.of("c", "d", "e")) {
            mesh.tracks(id, List.of(HIGH));
        }
    }

    @Test
    void eachRenditionLeadsFromItsOwnViewersBySeniorityBesideTheSitesLeaders() {
        joinTwoRenditions();
        assertEquals(Map.of(LOW, List.of("a", "b"), HIGH, List.of("c", "d")), byTrack());
        assertEquals(List.of("a", "b"), mesh.leaders(STREAM, "s"), "the site's own leaders stay as they were");
        assertEquals(List.of("a", "b"), events.leadersOf(STREAM, "s"));
    }

    @Test
    void aViewerThatSwitchesRenditionLeavesTheOldOnesLeadersAndTheListenerIsTold() {
        joinTwoRenditions();
        int changes = events.leaderChanges.get(STREAM + "/s");
        mesh.tracks("c", List.of(LOW));
        assertEquals(Map.of(LOW, List.of("a", "b"), HIGH, List.of("d", "e")), byTrack(), "sticky where it arrives");
        assertEquals(changes + 1, events.leaderChanges.get(STREAM + "/s"));
        mesh.tracks("c", List.of(LOW));
        assertEquals(changes + 1, events.leaderChanges.get(STREAM + "/s"), "the same list again changes nothing");
        mesh.tracks("a", List.of());
        assertEquals(List.of("b", "c"), byTrack().get(LOW), "a viewer that plays nothing leads no rendition");
    }

    @Test
    void aRenditionsLeadersFollowLeavesDistrustReachAndResume() {
        joinTwoRenditions();
        mesh.leave("c");
        assertEquals(List.of("d", "e"), byTrack().get(HIGH));
        mesh.distrust("d");
        assertEquals(List.of("e"), byTrack().get(HIGH));
        mesh.reachable("e", false);
        assertNull(byTrack().get(HIGH), "a rendition nobody may lead has no list: its viewers follow the site's");
        mesh.reachable("e", true);
        assertEquals(List.of("e"), byTrack().get(HIGH));
        mesh.suspend("a");
        assertEquals(List.of("b"), byTrack().get(LOW));
        mesh.resume("a");
        assertEquals(List.of("a", "b"), byTrack().get(LOW), "a place was free");
        mesh.leave("a");
        mesh.leave("b");
        assertFalse(byTrack().containsKey(LOW), "the last viewer of a rendition took its list with it");
    }

    @Test
    void cellularAndDownloadOnlyViewersLeadNoRendition() {
        mesh.join(cellular("phone", "s"));
        mesh.join(downloader("laptop", "s"));
        mesh.tracks("phone", List.of(HIGH));
        mesh.tracks("laptop", List.of(HIGH));
        assertTrue(byTrack().isEmpty());
        mesh.join(uploader("desk", "s"));
        mesh.tracks("desk", List.of(HIGH, "audio:0"));
        assertEquals(Map.of(HIGH, List.of("desk"), "audio:0", List.of("desk")), byTrack());
    }

    @Test
    void aSiteKeepsLeadersForABoundedNumberOfRenditions() {
        for (int i = 0; i <= SiteSwarm.MAX_TRACKS; i++) {
            mesh.join(uploader("u" + i, "s"));
            mesh.tracks("u" + i, List.of("main:" + i));
        }
        assertEquals(SiteSwarm.MAX_TRACKS, byTrack().size());
        assertNull(byTrack().get("main:" + SiteSwarm.MAX_TRACKS), "beyond the bound a rendition follows the site's leaders");
        mesh.leave("u0");
        mesh.tracks("u" + SiteSwarm.MAX_TRACKS, List.of("main:" + SiteSwarm.MAX_TRACKS));
        assertEquals(List.of("u" + SiteSwarm.MAX_TRACKS), byTrack().get("main:" + SiteSwarm.MAX_TRACKS), "a place freed up");
    }
}
