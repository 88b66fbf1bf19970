package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Join, neighbour assignment, relay and the LAN-only candidate rule over real WebSockets. */
@Timeout(60)
class SignalingIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/townhall/master.m3u8";

    @BeforeEach
    void startAppliance() throws Exception {
        start(Map.of());
    }

    private TestViewer joined(String source) throws Exception {
        return joined(STREAM, source);
    }

    /** Two viewers of one subnet that have been made neighbours. */
    private TestViewer[] neighbours() throws Exception {
        TestViewer a = joined("127.0.1.5");
        TestViewer b = joined("127.0.1.6");
        a.await("neighbour");
        b.await("neighbour");
        return new TestViewer[] {a, b};
    }

    private static String signal(String to, String kind, String body) {
        return "{\"type\":\"signal\",\"to\":\"" + to + "\",\"kind\":\"" + kind + "\"," + body + "}";
    }

    private static String candidate(String to, String candidate) {
        return signal(to, "candidate", "\"candidate\":{\"candidate\":\"" + candidate + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    }

    @Test
    void aHelloForAnotherStreamThanTheUrlNamesIsRefusedAndTheSameStreamIsWelcome() throws Exception {
        URI named = URI.create(ws + "?stream=" + java.net.URLEncoder.encode(STREAM, java.nio.charset.StandardCharsets.UTF_8));
        try (TestViewer same = TestViewer.connect(named, "127.0.1.7", null)) {
            assertEquals(STREAM, same.joinStream(STREAM).path("streamId").asText());
        }
        try (TestViewer other = TestViewer.connect(named, "127.0.1.8", null)) {
            other.send(TestViewer.hello("another-stream", true, "ethernet"));
            JsonNode error = other.awaitError("invalid_field");
            assertTrue(error.path("message").asText().contains("signaling URL"), error.toString());
            assertEquals(1008, other.awaitClose());
        }
    }

    @Test
    void welcomeCarriesPeerIdSiteAndAPolicyWithTheAppliancesStunResponder() throws Exception {
        TestViewer a = viewer("127.0.1.5");
        JsonNode welcome = a.joinStream(STREAM);
        assertEquals(1, welcome.get("v").asInt());
        assertTrue(welcome.get("peerId").asText().startsWith("p-"));
        assertEquals("auto:127.0.1.0/24", welcome.get("site").asText());
        assertEquals("on", welcome.at("/policy/p2p").asText());
        assertTrue(welcome.at("/policy/iceServers").isArray());
        assertEquals(1, welcome.at("/policy/iceServers").size(), welcome.toString());
        // The host the viewer reached the appliance at, and the responder's real (ephemeral) port.
        assertEquals("stun:127.0.0.1:" + appliance.signaling().stun().port(),
                welcome.at("/policy/iceServers/0/urls").asText());
        assertEquals(STREAM, welcome.get("streamId").asText());
    }

    @Test
    void viewersInOneSubnetBecomeNeighboursWithExactlyOneOfferer() throws Exception {
        TestViewer a = joined("127.0.1.5");
        TestViewer b = viewer("127.0.1.6");
        b.joinStream(STREAM);
        JsonNode toA = a.await("neighbour");
        JsonNode toB = b.await("neighbour");
        assertEquals(b.peerId, toA.get("peer").asText());
        assertEquals(a.peerId, toB.get("peer").asText());
        assertNotEquals(toA.get("offer").asBoolean(), toB.get("offer").asBoolean(), "exactly one side offers");
        assertEquals("auto:127.0.1.0/24", toA.get("site").asText(), "the neighbour's site travels along");
    }

    @Test
    void offersAnswersAndHostCandidatesAreRelayedBetweenNeighbours() throws Exception {
        TestViewer[] pair = neighbours();
        TestViewer a = pair[0];
        TestViewer b = pair[1];

        a.send(signal(b.peerId, "offer", "\"sdp\":\"v=0\\r\\na=candidate:1 1 udp 2122260223 8.8.8.8 5000 typ host\\r\\n"
                + "a=candidate:2 1 udp 2122260223 10.1.2.3 5001 typ host\\r\\n\""));
        JsonNode offer = b.await("signal");
        assertEquals(a.peerId, offer.get("from").asText());
        assertEquals("offer", offer.get("kind").asText());
        assertFalse(offer.get("sdp").asText().contains("8.8.8.8"), "out-of-network SDP candidate removed");
        assertTrue(offer.get("sdp").asText().contains("10.1.2.3"));

        b.send(signal(a.peerId, "answer", "\"sdp\":\"v=0\\r\\n\""));
        assertEquals("answer", a.await("signal").get("kind").asText());

        a.send(candidate(b.peerId, "candidate:1 1 udp 2122260223 10.20.1.17 51734 typ host"));
        assertEquals("candidate:1 1 udp 2122260223 10.20.1.17 51734 typ host",
                b.await("signal").at("/candidate/candidate").asText());
        a.send(candidate(b.peerId, "candidate:1 1 udp 2122260223 0b6a7c1e-1f2d-4c3b-9a8e-5d4c3b2a1f0e.local 51734 typ host"));
        assertTrue(b.await("signal").at("/candidate/candidate").asText().contains(".local"));
        // What an mDNS-hiding browser learns from the appliance's STUN responder: its LAN address.
        String srflx = "candidate:5 1 udp 1677729535 10.99.3.2 55284 typ srflx raddr 0.0.0.0 rport 0 generation 0";
        a.send(candidate(b.peerId, srflx));
        assertEquals(srflx, b.await("signal").at("/candidate/candidate").asText());
    }

    @Test
    void relayedAndOutOfNetworkCandidatesAreDropped() throws Exception {
        TestViewer[] pair = neighbours();
        TestViewer a = pair[0];
        TestViewer b = pair[1];
        a.send(candidate(b.peerId, "candidate:2 1 udp 1686052607 203.0.113.7 51734 typ srflx raddr 10.0.0.5 rport 51734"));
        assertTrue(a.awaitError("candidate_rejected").get("message").asText().contains("outside the allowed networks"),
                "a public reflexive address (a NAT's) stays off the LAN");
        a.send(candidate(b.peerId, "candidate:3 1 udp 41885439 10.0.0.9 3478 typ relay raddr 10.0.0.5 rport 1"));
        assertTrue(a.awaitError("candidate_rejected").get("message").asText().contains("relay"));
        a.send(candidate(b.peerId, "candidate:1 1 udp 2122260223 8.8.8.8 51734 typ host"));
        assertTrue(a.awaitError("candidate_rejected").get("message").asText().contains("outside the allowed networks"));
        // a's messages are handled in order and a relay is queued for b at once: b's first signal is the first one relayed.
        String host = "candidate:4 1 udp 2122260223 10.20.1.17 51734 typ host";
        a.send(candidate(b.peerId, host));
        assertEquals(host, b.await("signal").at("/candidate/candidate").asText(), "no rejected candidate reached the neighbour");
    }

    @Test
    void viewersInDifferentSubnetsAreNeverNeighbours() throws Exception {
        TestViewer a = joined("127.0.1.5");
        TestViewer b = viewer("127.0.2.5");
        b.joinStream(STREAM);
        awaitMeshIdle();
        assertEquals(List.of(), a.drainThroughPong("neighbour"));
        assertEquals(List.of(), b.drainThroughPong("neighbour"));
        a.send(signal(b.peerId, "offer", "\"sdp\":\"v=0\""));
        a.awaitError("not_neighbour");
    }

    @Test
    void signalToAPeerThatIsNotANeighbourIsRefused() throws Exception {
        TestViewer a = joined("127.0.1.5");
        a.send(signal("p-doesnotexist", "offer", "\"sdp\":\"v=0\""));
        JsonNode err = a.awaitError("not_neighbour");
        assertEquals("signal", err.get("ref").asText());
    }

    @Test
    void neighboursNeverExceedTheCapAndStayInTheSite() throws Exception {
        Map<String, Set<String>> neighbours = new java.util.HashMap<>();
        java.util.List<TestViewer> site = new java.util.ArrayList<>();
        for (int i = 0; i < 14; i++) {
            TestViewer v = viewer("127.0.3." + (10 + i));
            v.joinStream(STREAM);
            site.add(v);
        }
        TestViewer other = viewer("127.0.4.10");
        other.joinStream(STREAM);
        awaitMeshIdle();
        Set<String> ids = new HashSet<>();
        site.forEach(v -> ids.add(v.peerId));
        for (TestViewer v : site) {
            Set<String> mine = v.neighbours(Set.of());
            neighbours.put(v.peerId, mine);
            assertTrue(mine.size() <= 10, "cap of 10 neighbours: " + mine.size());
            assertTrue(ids.containsAll(mine), "neighbours only inside the site");
            assertFalse(mine.contains(other.peerId));
        }
        assertTrue(neighbours.values().stream().allMatch(s -> s.size() >= 6), "target degree 6 reached: " + neighbours);
    }

    @Test
    void siteLeadersAreAnnouncedAndReElectedWhenOneLeaves() throws Exception {
        TestViewer a = viewer("127.0.5.1");
        a.joinStream(STREAM);
        TestViewer b = viewer("127.0.5.2");
        b.joinStream(STREAM);
        TestViewer c = viewer("127.0.5.3");
        JsonNode welcome = c.joinStream(STREAM);
        assertEquals("auto:127.0.5.0/24", welcome.get("site").asText());
        JsonNode leaders = c.await("leaders");
        assertEquals(2, leaders.get("leaders").size());
        Set<String> first = new HashSet<>();
        leaders.get("leaders").forEach(n -> first.add(n.asText()));
        assertTrue(first.contains(a.peerId) && first.contains(b.peerId), "earliest uploaders lead: " + first);

        a.send("{\"type\":\"bye\"}");
        JsonNode changed = c.await(m -> "leaders".equals(m.path("type").asText())
                && m.get("leaders").toString().contains(c.peerId), "re-elected leaders");
        assertEquals(2, changed.get("leaders").size());
        assertFalse(changed.get("leaders").toString().contains(a.peerId));
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        TestViewer a = joined("127.0.1.5");
        a.send("{\"type\":\"ping\",\"t\":42}");
        JsonNode pong = a.await("pong");
        assertEquals(42, pong.get("t").asLong());
        assertTrue(pong.get("serverTime").asLong() > 0);
    }

    @Test
    void reportsAreAcceptedAndCounted() throws Exception {
        TestViewer a = joined("127.0.1.5");
        a.send("{\"type\":\"report\",\"httpBytes\":1000,\"p2pBytes\":5000,\"uploadedBytes\":0,\"stalls\":0,\"stallMs\":0,"
                + "\"watchMs\":10000,\"level\":0,\"bitrateKbps\":300,\"neighbours\":3,\"failures\":{\"timeout\":1}}");
        a.send("{\"type\":\"ping\"}");
        a.await("pong");
        assertEquals(1, appliance.signaling().reportsReceived());
    }

    @Test
    void byeTellsNeighboursAtOnce() throws Exception {
        TestViewer a = joined("127.0.1.5");
        TestViewer b = viewer("127.0.1.6");
        b.joinStream(STREAM);
        b.await("neighbour");
        a.send("{\"type\":\"bye\"}");
        assertEquals(1000, a.awaitClose());
        JsonNode gone = b.await("neighbour-gone");
        assertEquals(a.peerId, gone.get("peer").asText());
        assertEquals("left", gone.get("reason").asText());
    }
}
