package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The join and resume flows as viewers see them: the order and number of messages a viewer gets,
 * and taking a place back on a new connection.
 */
@Timeout(60)
class SignalingJoinFlowIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/flow/master.m3u8";

    @BeforeEach
    void startAppliance() throws Exception {
        start(Map.of());
    }

    private TestViewer joined(String source) throws Exception {
        return joined(STREAM, source);
    }

    private static String resumeHello(String peerId, String secret) {
        String hello = TestViewer.hello(STREAM, true, "ethernet");
        return hello.substring(0, hello.length() - 1) + ",\"resume\":{\"peerId\":\"" + peerId + "\",\"secret\":\""
                + secret + "\"}}";
    }

    /** Every message {@code v} received, once the mesh thread has handled everything queued before. */
    private List<JsonNode> everythingSoFar(TestViewer v) throws Exception {
        awaitMeshIdle();
        return v.drainThroughPong();
    }

    private static long count(List<JsonNode> messages, String type) {
        return messages.stream().filter(m -> type.equals(m.path("type").asText())).count();
    }

    @Test
    void aNewViewerReceivesOneLeadersMessageAfterItsNeighbours() throws Exception {
        TestViewer first = joined("127.0.1.5");
        TestViewer second = joined("127.0.1.6");
        List<JsonNode> seen = everythingSoFar(second);
        assertEquals(1, count(seen, "leaders"), "messages: " + seen);
        int leaders = seen.indexOf(seen.stream().filter(m -> "leaders".equals(m.path("type").asText())).findFirst()
                .orElseThrow());
        int neighbour = seen.indexOf(seen.stream().filter(m -> "neighbour".equals(m.path("type").asText()))
                .findFirst().orElseThrow());
        assertTrue(neighbour < leaders, "neighbours first, then leaders: " + seen);
        assertTrue(seen.get(leaders).get("leaders").toString().contains(first.peerId), seen.get(leaders).toString());

        // The first viewer heard its own join's list, then the change the second one made; once each.
        List<JsonNode> firstSaw = everythingSoFar(first);
        assertEquals(2, count(firstSaw, "leaders"), "messages: " + firstSaw);
    }

    @Test
    void aNeighbourMessageSaysWhetherTheNeighboursSdkUnderstandsFetching() throws Exception {
        TestViewer current = viewer("127.0.1.5");
        current.joinWith(TestViewer.hello(STREAM, true, "ethernet").replace("\"uploadKbps\":20000",
                "\"uploadKbps\":20000,\"fetching\":true"));
        TestViewer earlier = joined("127.0.1.6");
        JsonNode toEarlier = earlier.await("neighbour");
        assertEquals(current.peerId, toEarlier.get("peer").asText());
        assertTrue(toEarlier.get("fetching").asBoolean(), toEarlier.toString());
        JsonNode toCurrent = current.await("neighbour");
        assertEquals(earlier.peerId, toCurrent.get("peer").asText());
        assertFalse(toCurrent.has("fetching"), "an SDK that did not declare it is never sent it: " + toCurrent);
    }

    @Test
    void aViewerThatDroppedResumesItsPlaceAndNeighboursOnANewConnection() throws Exception {
        TestViewer a = joined("127.0.1.5");
        TestViewer b = joined("127.0.1.6");
        a.await("neighbour");
        b.await("neighbour");
        String id = b.peerId;
        String secret = b.secret;
        b.abort();

        TestViewer again = viewer("127.0.1.6");
        JsonNode welcome = again.joinWith(resumeHello(id, secret));
        assertTrue(welcome.get("resumed").asBoolean(), welcome.toString());
        assertEquals(id, welcome.get("peerId").asText());
        JsonNode neighbour = again.await("neighbour");
        assertEquals(a.peerId, neighbour.get("peer").asText());
        assertTrue(neighbour.get("offer").asBoolean(), "the resumed viewer re-offers");
        List<JsonNode> rest = everythingSoFar(again);
        assertEquals(1, count(rest, "leaders"), "messages: " + rest);
        assertFalse(rest.stream().anyMatch(m -> "neighbour-gone".equals(m.path("type").asText())
                && a.peerId.equals(m.path("peer").asText())), "the pair survived the reconnect: " + rest);
    }

    @Test
    void aResumeWhileTheOldSocketIsStillOpenTakesItOver() throws Exception {
        TestViewer a = joined("127.0.1.5");
        String id = a.peerId;
        TestViewer again = viewer("127.0.1.5");
        JsonNode welcome = again.joinWith(resumeHello(id, a.secret));
        assertTrue(welcome.get("resumed").asBoolean());
        assertEquals(CloseCodes.NORMAL, a.awaitClose(), "the old connection is closed normally");
        // The old socket's close does not suspend or remove the viewer the new connection now is.
        TestViewer b = joined("127.0.1.6");
        assertEquals(id, b.await("neighbour").get("peer").asText());
        assertEquals(b.peerId, again.await("neighbour").get("peer").asText());
    }

    @Test
    void aWrongSecretOrAnotherAddressJoinsAsANewViewer() throws Exception {
        TestViewer a = joined("127.0.1.5");
        TestViewer thief = viewer("127.0.1.5");
        thief.send(resumeHello(a.peerId, "not-the-secret"));
        thief.awaitError("resume_failed");
        JsonNode welcome = thief.await("welcome");
        assertFalse(welcome.get("resumed").asBoolean());
        assertNotEquals(a.peerId, welcome.get("peerId").asText());

        TestViewer elsewhere = viewer("127.0.2.5");
        elsewhere.send(resumeHello(a.peerId, a.secret));
        elsewhere.awaitError("resume_failed");
        assertNotEquals(a.peerId, elsewhere.await("welcome").get("peerId").asText());
        assertTrue(a.isOpen(), "a failed resume leaves the real viewer alone");
    }

    private static String report(long httpKbps) {
        return "{\"type\":\"report\",\"httpBytes\":1000,\"p2pBytes\":0,\"uploadedBytes\":0,\"stalls\":0,"
                + "\"stallMs\":0,\"watchMs\":1000,\"level\":0,\"bitrateKbps\":300,\"neighbours\":1,"
                + "\"httpKbps\":" + httpKbps + "}";
    }

    @Test
    void aJoiningViewerLearnsTheHttpThroughputItsSiteReported() throws Exception {
        TestViewer a = viewer("127.0.1.5");
        assertFalse(a.joinStream(STREAM).has("siteHttpKbps"), "nothing reported yet");
        TestViewer b = joined("127.0.1.6");
        TestViewer c = joined("127.0.1.7");
        a.send(report(300));
        b.send(report(260));
        c.send(report(9000));
        io.swarmgate.Await.until("three reports", java.time.Duration.ofSeconds(10),
                () -> appliance.signaling().reportsReceived() >= 3);
        JsonNode welcome = viewer("127.0.1.8").joinStream(STREAM);
        assertEquals(300, welcome.path("siteHttpKbps").asLong(), "the median of the site's reports: " + welcome);
        JsonNode elsewhere = viewer("127.0.2.5").joinStream(STREAM);
        assertFalse(elsewhere.has("siteHttpKbps"), "another site has its own link: " + elsewhere);
        JsonNode otherStream = viewer("127.0.1.9").joinStream("https://video.corp.example/live/weekly/master.m3u8");
        assertEquals(300, otherStream.path("siteHttpKbps").asLong(),
                "a stream nobody in the site has reported on yet gets the site's figure: " + otherStream);
    }
}
