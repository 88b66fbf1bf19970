package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real viewers over WebSocket tell the renditions they play ({@code tracks}); every viewer of the
 * site hears each rendition's leaders, chosen among that rendition's viewers, in {@code leaders}.
 */
@Timeout(120)
class SignalingTrackLeadersIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/ladder/master.m3u8";

    private static String tracks(String... keys) {
        return "{\"type\":\"tracks\",\"tracks\":[" + String.join(",", List.of(keys).stream().map(k -> "\"" + k + "\"").toList()) + "]}";
    }

    private final Map<TestViewer, JsonNode> latest = new HashMap<>();

    /** The last {@code leaders} message the viewer got up to now (messages are drained as they are read). */
    private JsonNode lastLeaders(TestViewer v) throws Exception {
        for (JsonNode m : v.drainThroughPong("leaders")) {
            latest.put(v, m);
        }
        return latest.get(v);
    }

    private static List<String> ids(TestViewer... viewers) {
        List<String> ids = new ArrayList<>();
        for (TestViewer v : viewers) {
            ids.add(v.peerId);
        }
        return ids.stream().sorted().toList();
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void eachRenditionLeadsFromItsOwnViewersAndEveryViewerOfTheSiteHearsIt() throws Exception {
        start(Map.of());
        List<TestViewer> v = new ArrayList<>();
        JsonNode welcome = null;
        for (int i = 0; i < 5; i++) {
            TestViewer viewer = viewer("127.0.4." + (10 + i));
            welcome = viewer.joinStream(STREAM);
            v.add(viewer);
        }
        var coordinator = appliance.signaling().coordinator();
        String streamId = welcome.path("streamId").asText();
        String site = welcome.path("site").asText();
        awaitMeshIdle();
        // One after another: leaders are sticky, so the order they said it in decides.
        for (int i = 0; i < 5; i++) {
            v.get(i).send(tracks(i < 2 ? "main:1" : "main:0"));
            lastLeaders(v.get(i)); // through the appliance's pong: it has read the message
            awaitMeshIdle();
        }

        for (TestViewer viewer : v) {
            JsonNode leaders = lastLeaders(viewer);
            assertEquals(ids(v.get(0), v.get(1)), list(leaders.get("leaders")), "the site's own leaders stay");
            assertEquals(ids(v.get(0), v.get(1)), list(leaders.path("tracks").path("main:1")));
            assertEquals(ids(v.get(2), v.get(3)), list(leaders.path("tracks").path("main:0")));
        }

        // A late joiner hears the lists with its first leaders message.
        TestViewer late = viewer("127.0.4.20");
        late.joinStream(STREAM);
        awaitMeshIdle();
        assertEquals(ids(v.get(2), v.get(3)), list(lastLeaders(late).path("tracks").path("main:0")));

        // Its ABR moves a higher-rendition leader down: the higher rendition's next viewer steps in
        // (within a second or two: a change this soon after the last is held for the sweep).
        v.get(2).send(tracks("main:1"));
        lastLeaders(v.get(2));
        Await.until("the switch applied", Duration.ofSeconds(10),
                () -> coordinator.siteLeaders(streamId, site).tracks().get("main:0").contains(v.get(4).peerId));
        awaitMeshIdle();
        JsonNode after = lastLeaders(v.get(4));
        assertEquals(ids(v.get(3), v.get(4)), list(after.path("tracks").path("main:0")));
        assertEquals(ids(v.get(0), v.get(1)), list(after.path("tracks").path("main:1")), "leaders are sticky");
    }

    @Test
    void aViewerChangingItsRenditionsWithEveryMessageMovesTheSitesLeadersAtMostOnceASecondAndEndsOnItsLatest()
            throws Exception {
        start(Map.of());
        TestViewer churner = viewer("127.0.4.40");
        JsonNode welcome = churner.joinStream(STREAM);
        TestViewer colleague = viewer("127.0.4.41");
        colleague.joinStream(STREAM);
        awaitMeshIdle();
        lastLeaders(colleague);
        for (int i = 0; i < 20; i++) {
            churner.send(tracks("made-up:" + i));
        }
        lastLeaders(churner); // through the appliance's pong: it has read all twenty
        var coordinator = appliance.signaling().coordinator();
        String streamId = welcome.path("streamId").asText();
        String site = welcome.path("site").asText();
        Await.until("the latest renditions applied", Duration.ofSeconds(10),
                () -> coordinator.siteLeaders(streamId, site).tracks().containsKey("made-up:19"));
        awaitMeshIdle();
        List<JsonNode> told = colleague.drainThroughPong("leaders");
        assertTrue(told.size() <= 3, "the first change, the latest one, and at most one between: " + told.size());
        assertEquals(List.of("made-up:19"), List.copyOf(coordinator.siteLeaders(streamId, site).tracks().keySet()));
    }

    @Test
    void aMalformedTracksMessageIsRefusedNamingTheFieldAndChangesNothing() throws Exception {
        start(Map.of());
        TestViewer a = viewer("127.0.4.30");
        a.joinStream(STREAM);
        TestViewer b = viewer("127.0.4.31");
        b.joinStream(STREAM);
        awaitMeshIdle();
        a.send(tracks("main:0"));
        lastLeaders(a);
        awaitMeshIdle();
        a.send("{\"type\":\"tracks\",\"tracks\":[\"main:0\",\"main:0\"]}");
        assertTrue(a.awaitError("invalid_field").get("message").asText().contains("'tracks'"));
        a.send(tracks("a", "b", "c", "d", "e"));
        assertTrue(a.awaitError("invalid_field").get("message").asText().contains("at most 4"));
        awaitMeshIdle();
        assertEquals(List.of(a.peerId), list(lastLeaders(b).path("tracks").path("main:0")), "what it said before stands");
    }
}
