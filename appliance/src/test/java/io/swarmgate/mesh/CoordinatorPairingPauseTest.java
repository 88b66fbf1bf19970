package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A viewer that reaches no neighbour (an endpoint firewall that blocks WebRTC) pauses its pairing
 * after each failed one, 15 s and then twice as long each time, instead of taking colleague after
 * colleague's neighbour slot for a doomed connection.
 */
class CoordinatorPairingPauseTest {

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final Coordinator mesh = new Coordinator(stream -> SwarmRules.defaults(), new RecordingListener(), clock,
            MeshTimings.defaults(), 5);

    /** x, and three colleagues it is paired with (the site is smaller than the target degree). */
    @BeforeEach
    void blockedViewerAndThreeColleagues() {
        for (String id : new String[] {"x", "a", "b", "c"}) {
            mesh.join(uploader(id, "s"));
        }
        assertEquals(Set.of("a", "b", "c"), mesh.neighbours("x"));
    }

    private void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
        mesh.endPairingPauses();
    }

    /** x is found to reach nobody, and its three pairings fail. */
    private void allPairingsOfXFail() {
        assertTrue(mesh.reachable("x", false));
        for (String colleague : new String[] {"a", "b", "c"}) {
            mesh.reportFailing(colleague, "x");
        }
        assertEquals(Set.of(), mesh.neighbours("x"));
    }

    @Test
    void aViewerThatReachesNoNeighbourPausesAfterAFailedPairingAndThenProbesWithOneNeighbour() {
        allPairingsOfXFail();
        mesh.join(uploader("d", "s"));
        assertEquals(Set.of(), mesh.neighbours("x"), "pausing: the new colleague is not paired with it");
        assertEquals(Set.of("a", "b", "c"), mesh.neighbours("d"), "the colleagues are paired as before");

        advance(StreamMesh.FIRST_PAIRING_PAUSE_MS - 1);
        assertEquals(Set.of(), mesh.neighbours("x"), "the failures during the pause did not restart it");
        advance(1);
        assertEquals(Set.of("d"), mesh.neighbours("x"), "after 15 s it is paired again (a, b and c stay blocked)");
        mesh.join(uploader("e", "s"));
        mesh.join(uploader("f", "s"));
        assertEquals(Set.of("d"), mesh.neighbours("x"), "one neighbour at a time while it reaches nobody");

        mesh.reportFailing("d", "x");
        advance(StreamMesh.FIRST_PAIRING_PAUSE_MS);
        assertEquals(Set.of(), mesh.neighbours("x"), "the second pause is twice as long");
        advance(StreamMesh.FIRST_PAIRING_PAUSE_MS);
        assertEquals(1, mesh.neighbours("x").size());

        assertTrue(mesh.reachable("x", true));
        assertEquals(Set.of("e", "f"), mesh.neighbours("x"), "its probe connected: its full share at once (a to d still blocked)");
    }

    @Test
    void aViewerThatReachesANeighbourAgainIsPairedAtOnceInFullAndStartsFromTheFirstPause() {
        allPairingsOfXFail();
        mesh.join(uploader("d", "s"));
        mesh.join(uploader("e", "s"));
        assertEquals(Set.of(), mesh.neighbours("x"));
        assertTrue(mesh.reachable("x", true));
        assertEquals(Set.of("d", "e"), mesh.neighbours("x"), "a channel opened: the pause is over, no probe");

        mesh.reachable("x", false);
        mesh.reportFailing("d", "x");
        mesh.reportFailing("e", "x");
        mesh.join(uploader("f", "s"));
        advance(StreamMesh.FIRST_PAIRING_PAUSE_MS);
        assertEquals(Set.of("f"), mesh.neighbours("x"), "the pauses count again from the first");
    }

    @Test
    void failedPairingsOfReachableViewersPauseNothingAndAPausingViewerThatLeavesIsForgotten() {
        mesh.reportFailing("a", "x");
        mesh.join(uploader("d", "s"));
        assertTrue(mesh.isNeighbour("x", "d"), "x reaches its neighbours: replaced at once");

        mesh.reachable("x", false);
        mesh.reportFailing("b", "x");
        assertTrue(mesh.leave("x"));
        advance(StreamMesh.MAX_PAIRING_PAUSE_MS);
        assertEquals(Set.of(), mesh.neighbours("x"));
        assertEquals(4, mesh.peerCount());
    }

    @Test
    void thePausesDoubleUpToFiveMinutes() {
        // One neighbour each: a probe that joins is paired with x exactly when x may be paired.
        Coordinator pairs = new Coordinator(stream -> SwarmRules.defaults().withDegree(1, 1), new RecordingListener(), clock,
                MeshTimings.defaults(), 5);
        pairs.join(uploader("x", "t"));
        pairs.join(uploader("p0", "t"));
        assertTrue(pairs.isNeighbour("x", "p0"));
        pairs.reachable("x", false);
        long pause = StreamMesh.FIRST_PAIRING_PAUSE_MS;
        for (int i = 0; i < 8; i++) {
            pairs.reportFailing("p" + i, "x");
            pairs.leave("p" + i);
            clock.advance(Duration.ofMillis(pause - 1));
            pairs.endPairingPauses();
            pairs.join(uploader("p" + (i + 1), "t"));
            assertFalse(pairs.isNeighbour("x", "p" + (i + 1)), "pause " + (i + 1) + " lasts " + pause + " ms");
            clock.advance(Duration.ofMillis(1));
            pairs.endPairingPauses();
            assertTrue(pairs.isNeighbour("x", "p" + (i + 1)), "paired again after pause " + (i + 1));
            pause = Math.min(2 * pause, StreamMesh.MAX_PAIRING_PAUSE_MS);
        }
        assertEquals(StreamMesh.MAX_PAIRING_PAUSE_MS, pause, "15 s, 30 s, 1, 2, 4 and then 5 minutes");
    }
}
