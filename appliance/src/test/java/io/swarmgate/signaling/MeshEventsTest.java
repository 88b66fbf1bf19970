package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.mesh.SiteLeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A burst of leader changes is fanned out once; a later change is fanned out again. */
class MeshEventsTest {

    private final List<Runnable> queued = new ArrayList<>();
    private final MeshEvents events = new MeshEvents(new SessionRegistry(), new SignalingCodec(), queued::add);

    @Test
    void aBurstOfLeaderChangesQueuesOneFanOut() {
        for (int i = 0; i < 100; i++) {
            events.leadersChanged("s", "site-" + (i % 3), new SiteLeaders(List.of("p-" + i), Map.of()));
        }
        assertEquals(1, queued.size(), "one fan-out for the whole burst");
        assertTrue(events.leadersPending("s", "site-0"));
        assertTrue(events.leadersPending("s", "site-2"));
        assertFalse(events.leadersPending("s", "site-3"));
        assertFalse(events.leadersPending("other", "site-0"));

        queued.remove(0).run();
        assertFalse(events.leadersPending("s", "site-0"), "sent: a joining viewer gets its own list again");

        events.leadersChanged("s", "site-0", new SiteLeaders(List.of("p-x"), Map.of()));
        assertEquals(1, queued.size(), "a change after the fan-out queues the next one");
    }
}
