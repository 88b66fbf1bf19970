package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.mesh.Coordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real viewers over WebSocket report a neighbour's transfers stalling ({@code failing}
 * {@code timeout}): each report separates the pair, and reports from two addresses stop the
 * neighbour from leading its site.
 */
@Timeout(120)
class SignalingStallReportsIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/stalls/master.m3u8";

    private static String failing(TestViewer accused, String reason) {
        return "{\"type\":\"failing\",\"peer\":\"" + accused.peerId + "\",\"reason\":\"" + reason + "\"}";
    }

    @Test
    void aLeaderWhoseTransfersStallForViewersAtTwoAddressesNoLongerLeads() throws Exception {
        start(Map.of());
        TestViewer slow = viewer("127.0.2.10");
        JsonNode welcome = slow.joinStream(STREAM);
        // b and sameDesk share a desk (one address); c and d each have their own.
        List<TestViewer> others = new ArrayList<>();
        for (String address : List.of("127.0.2.11", "127.0.2.11", "127.0.2.12", "127.0.2.13")) {
            others.add(joined(STREAM, address));
        }
        TestViewer b = others.get(0);
        TestViewer sameDesk = others.get(1);
        TestViewer c = others.get(2);
        TestViewer d = others.get(3);
        awaitMeshIdle();
        Coordinator coordinator = appliance.signaling().coordinator();
        String streamId = welcome.path("streamId").asText();
        String site = welcome.path("site").asText();
        assertTrue(slow.neighbours(Set.of()).containsAll(Set.of(b.peerId, sameDesk.peerId, c.peerId, d.peerId)));
        assertEquals(List.of(slow.peerId, b.peerId).stream().sorted().toList(), coordinator.leaders(streamId, site),
                "the two longest connected lead");

        b.send(failing(slow, "timeout"));
        sameDesk.send(failing(slow, "timeout"));
        awaitMeshIdle();
        assertFalse(coordinator.neighbours(slow.peerId).contains(b.peerId), "a report separates the pair");
        assertFalse(coordinator.neighbours(slow.peerId).contains(sameDesk.peerId));
        assertTrue(coordinator.leaders(streamId, site).contains(slow.peerId),
                "two sessions at one address are one voice: it still leads");

        d.send(failing(slow, "connect"));
        awaitMeshIdle();
        assertTrue(coordinator.leaders(streamId, site).contains(slow.peerId),
                "a connection that never opened says nothing of its transfers");

        c.send(failing(slow, "timeout"));
        awaitMeshIdle();
        List<String> leaders = coordinator.leaders(streamId, site);
        assertFalse(leaders.contains(slow.peerId), "stalls reported from two addresses: no longer a leader");
        assertEquals(2, leaders.size(), "another viewer leads in its place: " + leaders);
        assertTrue(slow.isOpen(), "it keeps watching, and sharing with neighbours who did not report it");
    }
}
