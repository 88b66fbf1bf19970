package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Await;
import io.swarmgate.mesh.Coordinator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real viewers over WebSocket: a leader whose pairings fail to connect ({@code failing}
 * {@code connect}) with viewers at two other addresses, and whose own report says it has no data
 * channel open, stops leading; a report with a channel open lets it lead again where a place is free.
 */
@Timeout(120)
class SignalingConnectReportsIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/reach/master.m3u8";

    private static String failing(TestViewer other) {
        return "{\"type\":\"failing\",\"peer\":\"" + other.peerId + "\",\"reason\":\"connect\"}";
    }

    private static String report(int open) {
        return "{\"type\":\"report\",\"httpBytes\":0,\"p2pBytes\":0,\"uploadedBytes\":0,\"stalls\":0,\"stallMs\":0,"
                + "\"watchMs\":1000,\"level\":0,\"bitrateKbps\":0,\"neighbours\":" + open + ",\"failures\":{\"timeout\":0,"
                + "\"integrity\":0,\"gone\":0,\"noHolder\":0,\"policy\":0}}";
    }

    /** Sends and waits until the appliance has handled it: its answer to a ping follows, then the mesh is idle. */
    private void sendHandled(TestViewer from, String message) throws Exception {
        from.send(message);
        from.drainThroughPong();
        awaitMeshIdle();
    }

    /** Viewers joined one after another at {@code addresses}, the first of which leads; its site's leaders. */
    private record Swarm(List<TestViewer> viewers, Supplier<List<String>> leaders, String streamId, String site) {
    }

    /** The appliance's /metrics over HTTP: the series of viewers that reach no colleague, one line each. */
    private List<String> unreachableSeries() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(appliance.httpUri().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body().lines().filter(l -> l.startsWith("swarmgate_viewers_unreachable{")).toList();
    }

    private Swarm joinedAt(String... addresses) throws Exception {
        start(Map.of());
        List<TestViewer> viewers = new ArrayList<>();
        JsonNode welcome = null;
        for (String address : addresses) {
            TestViewer v = viewer(address);
            JsonNode w = v.joinStream(STREAM);
            welcome = welcome == null ? w : welcome;
            viewers.add(v);
        }
        awaitMeshIdle();
        Coordinator coordinator = appliance.signaling().coordinator();
        String streamId = welcome.path("streamId").asText();
        String site = welcome.path("site").asText();
        return new Swarm(viewers, () -> coordinator.leaders(streamId, site), streamId, site);
    }

    @Test
    void aLeaderThatReachesNoNeighbourStopsLeadingUntilAChannelOpens() throws Exception {
        Swarm swarm = joinedAt("127.0.3.10", "127.0.3.11", "127.0.3.12", "127.0.3.13");
        TestViewer walled = swarm.viewers().get(0);
        TestViewer b = swarm.viewers().get(1);
        TestViewer c = swarm.viewers().get(2);
        TestViewer d = swarm.viewers().get(3);
        Supplier<List<String>> leadersNow = swarm.leaders();
        assertTrue(walled.neighbours(Set.of()).containsAll(Set.of(b.peerId, c.peerId, d.peerId)));
        assertEquals(List.of(walled.peerId, b.peerId).stream().sorted().toList(), leadersNow.get(),
                "the two longest connected lead");

        sendHandled(walled, report(0));
        assertTrue(leadersNow.get().contains(walled.peerId), "none open, nothing failed: it leads");
        sendHandled(b, failing(walled));
        assertTrue(leadersNow.get().contains(walled.peerId), "one address: it leads");
        // The other side of a pair may report it too: its pairing with c failed, from its side.
        sendHandled(walled, failing(c));
        List<String> leaders = leadersNow.get();
        assertFalse(leaders.contains(walled.peerId), "no channel open and two addresses failed: no longer leads");
        assertEquals(2, leaders.size(), "another viewer leads in its place: " + leaders);
        assertTrue(walled.isOpen(), "it keeps watching");
        assertEquals(List.of("swarmgate_viewers_unreachable{site=\"" + swarm.site() + "\",stream=\"" + swarm.streamId()
                + "\"} 1.0"), unreachableSeries(), "admins see the viewer that reaches nobody in /metrics");
        assertEquals(Map.of(swarm.site(), 1), appliance.qoe().queries().live().reachingNobodyBySite(),
                "and in the console's live figures of its site");
        // Its socket drops and it resumes on a new one: the appliance still knows it reaches nobody.
        String hello = TestViewer.hello(STREAM, true, "ethernet");
        TestViewer resumed = viewer("127.0.3.10");
        assertTrue(resumed.joinWith(hello.substring(0, hello.length() - 1) + ",\"resume\":{\"peerId\":\"" + walled.peerId
                + "\",\"secret\":\"" + walled.secret + "\"}}").get("resumed").asBoolean());
        awaitMeshIdle();
        assertEquals(1, unreachableSeries().size(), "still counted after its resume: " + unreachableSeries());

        sendHandled(resumed, report(1));
        assertEquals(List.of(), unreachableSeries(), "a channel open: it reaches a colleague again");
        assertFalse(leadersNow.get().contains(walled.peerId), "leaders are sticky");
        String replaced = leaders.stream().filter(id -> !id.equals(b.peerId)).findFirst().orElseThrow();
        TestViewer leaving = List.of(c, d).stream().filter(v -> v.peerId.equals(replaced)).findFirst().orElseThrow();
        leaving.send("{\"type\":\"bye\"}");
        Await.until("the viewer with a channel open again to lead where a place is free", Duration.ofSeconds(10),
                () -> leadersNow.get().contains(walled.peerId));
    }

    @Test
    void aViewerThatReachesNoNeighbourPausesItsPairingInsteadOfTakingTheNextColleaguesSlot() throws Exception {
        Swarm swarm = joinedAt("127.0.5.10", "127.0.5.11", "127.0.5.12");
        TestViewer walled = swarm.viewers().get(0);
        TestViewer b = swarm.viewers().get(1);
        TestViewer c = swarm.viewers().get(2);
        Set<String> mine = walled.neighbours(Set.of());
        sendHandled(walled, report(0));
        sendHandled(b, failing(walled));
        sendHandled(c, failing(walled));
        mine = walled.neighbours(mine);
        assertEquals(Set.of(), mine, "both pairings failed and are blocked");
        assertEquals(2, appliance.signaling().failedPairings("connect"), "counted for /metrics");

        TestViewer d = viewer("127.0.5.13");
        d.joinStream(STREAM);
        awaitMeshIdle();
        Set<String> dNeighbours = d.neighbours(Set.of());
        assertEquals(Set.of(b.peerId, c.peerId), dNeighbours, "a joiner is not paired with a viewer that reaches nobody");
        assertEquals(Set.of(), walled.neighbours(mine), "nor is it given anyone else while it pauses");

        // The appliance's sweep ends the pause (15 s): it is paired again, with the joiner.
        AtomicReference<Set<String>> now = new AtomicReference<>(mine);
        Await.until("the paused viewer to be paired again", Duration.ofSeconds(30), () -> {
            Thread.sleep(1000); // a ping a second, well inside the viewer's message rate
            now.set(walled.neighbours(now.get()));
            return now.get().contains(d.peerId);
        });
    }

    @Test
    void aViewerWithAChannelOpenLeadsWhateverPairingsFail() throws Exception {
        Swarm swarm = joinedAt("127.0.4.10", "127.0.4.11", "127.0.4.12");
        TestViewer leader = swarm.viewers().get(0);
        sendHandled(leader, report(1));
        sendHandled(swarm.viewers().get(1), failing(leader));
        sendHandled(swarm.viewers().get(2), failing(leader));
        assertTrue(swarm.leaders().get().contains(leader.peerId),
                "colleagues' reports alone never stop a leader that has a channel open");
    }
}
