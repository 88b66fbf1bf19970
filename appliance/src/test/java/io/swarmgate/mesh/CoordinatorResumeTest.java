package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.STREAM;
import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoordinatorResumeTest {

    private static final Duration GRACE = Duration.ofSeconds(20);

    private final RecordingListener events = new RecordingListener();
    private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final Coordinator mesh = new Coordinator(stream -> SwarmRules.defaults(), events, clock,
            new MeshTimings(GRACE, Duration.ofSeconds(60)), 11);

    private void threeViewers() {
        mesh.join(uploader("a", "s"));
        mesh.join(uploader("b", "s"));
        mesh.join(uploader("c", "s"));
    }

    @Test
    void aViewerThatResumesWithinTheGraceKeepsItsNeighbours() {
        threeViewers();
        Set<String> before = mesh.neighbours("a");
        assertTrue(mesh.suspend("a"));
        clock.advance(GRACE.minusSeconds(1));
        assertEquals(List.of(), mesh.expireSuspended());
        assertTrue(mesh.resume("a"));
        assertEquals(before, mesh.neighbours("a"));
        assertTrue(mesh.isNeighbour("b", "a"));
    }

    @Test
    void aLeaderWhoseSocketDropsIsReplacedAtOnceAndLeadsAgainOnlyWhereOneIsMissing() {
        threeViewers();
        assertEquals(List.of("a", "b"), mesh.leaders(STREAM, "s"));
        events.clear();
        assertTrue(mesh.suspend("a"));
        assertEquals(List.of("b", "c"), mesh.leaders(STREAM, "s"), "a dropped leader fetches nothing: c steps in");
        assertTrue(events.events.contains(new RecordingListener.Event("leaders", "s", null, List.of("b", "c"))));
        assertTrue(mesh.resume("a"));
        assertEquals(List.of("b", "c"), mesh.leaders(STREAM, "s"), "leaders are sticky: a resumed viewer unseats nobody");
        mesh.leave("b");
        assertEquals(List.of("a", "c"), mesh.leaders(STREAM, "s"), "resumed, it is a candidate again");
    }

    @Test
    void aSiteWhoseViewersAllDroppedHasNoLeadersUntilOneResumes() {
        threeViewers();
        for (String id : List.of("a", "b", "c")) {
            assertTrue(mesh.suspend(id));
        }
        assertEquals(List.of(), mesh.leaders(STREAM, "s"));
        assertTrue(mesh.resume("c"));
        assertEquals(List.of("c"), mesh.leaders(STREAM, "s"));
    }

    @Test
    void expireSuspendedRemovesViewersPastTheGraceAndTellsTheirNeighbours() {
        threeViewers();
        assertTrue(mesh.suspend("a"));
        clock.advance(GRACE);
        assertEquals(List.of("a"), mesh.expireSuspended());
        assertFalse(mesh.isNeighbour("b", "a"));
        assertTrue(events.eventsFor("b").contains(
                new RecordingListener.Event("unassigned", "b", "a", UnassignReason.RESUME_EXPIRED)));
        assertFalse(mesh.resume("a"), "an expired viewer must join afresh");
        assertEquals(2, mesh.peerCount());
        assertFalse(mesh.leaders(STREAM, "s").contains("a"));
    }

    @Test
    void resumingAfterTheGraceFailsEvenBeforeTheSweepRan() {
        threeViewers();
        assertTrue(mesh.suspend("a"));
        clock.advance(GRACE.plusSeconds(1));
        assertFalse(mesh.resume("a"));
        assertFalse(mesh.isNeighbour("b", "a"));
        assertEquals(List.of(), mesh.expireSuspended());
    }

    @Test
    void aResumedViewerIsNotExpiredLater() {
        threeViewers();
        assertTrue(mesh.suspend("a"));
        assertTrue(mesh.resume("a"));
        clock.advance(GRACE.multipliedBy(2));
        assertEquals(List.of(), mesh.expireSuspended());
        assertEquals(3, mesh.peerCount());
    }

    @Test
    void unknownViewersCannotSuspendOrResume() {
        assertFalse(mesh.suspend("ghost"));
        assertFalse(mesh.resume("ghost"));
        assertFalse(mesh.leave("ghost"));
    }

    @Test
    void theLastViewerLeavingDropsTheStreamSoItCanStartAfresh() {
        mesh.join(uploader("a", "s"));
        assertTrue(mesh.leave("a"));
        assertEquals(0, mesh.peerCount());
        assertTrue(mesh.leaders(STREAM, "s").isEmpty());
        JoinResult again = mesh.join(uploader("a", "s"));
        assertEquals(List.of("a"), again.leaders());
    }
}
