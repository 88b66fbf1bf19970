package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Await;
import io.swarmgate.audit.Actor;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.policy.UploadRules;
import io.swarmgate.policy.ViewerTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Origins, tokens, trusted networks, resume and live policy changes over real WebSockets. */
@Timeout(60)
class SignalingPolicyIT extends SignalingTestBase {

    private static final Actor TEST_ACTOR = Actor.cli("test");

    private static final String ID = "townhall";

    private StreamPolicy policy(String origins, SecurityLevel level, String secret) {
        return StreamPolicy.validated(ID, "https://video.corp.example/live/townhall/*", P2pMode.ON, Map.of(), 10,
                UploadRules.DEFAULT, origins == null ? List.of() : List.of(origins), level, List.of(),
                TokenSettings.NONE.withSecret(secret, Instant.now()), Instant.now());
    }

    private static String helloWithToken(String token) {
        return "{\"type\":\"hello\",\"v\":1,\"stream\":\"" + ID + "\",\"caps\":{\"upload\":true,\"network\":\"ethernet\","
                + "\"uploadKbps\":1000}" + (token == null ? "" : ",\"token\":\"" + token + "\"") + "}";
    }

    private static String mint(String secret, String audience, long ttlSeconds, String subject) {
        Instant now = Instant.now();
        return ViewerTokens.mint(secret, audience, now, now.plusSeconds(ttlSeconds), subject, null);
    }

    @Test
    void pageFromAnOriginThePolicyDoesNotAllowIsRefusedWith1008() throws Exception {
        start(Map.of());
        appliance.policies().addStream(policy("https://intranet.corp.example", SecurityLevel.BASIC, null), TEST_ACTOR);
        TestViewer allowed = viewer("127.0.1.1", "https://intranet.corp.example");
        assertEquals(ID, allowed.joinStream(ID).get("streamId").asText());

        TestViewer stranger = viewer("127.0.1.2", "https://evil.example");
        stranger.send(TestViewer.hello(ID, true, "ethernet"));
        stranger.awaitError("origin_not_allowed");
        assertEquals(CloseCodes.POLICY_VIOLATION, stranger.awaitClose());
    }

    @Test
    void streamsMatchedByUrlPatternShareOnePolicy() throws Exception {
        start(Map.of());
        appliance.policies().addStream(policy("https://intranet.corp.example", SecurityLevel.BASIC, null), TEST_ACTOR);
        TestViewer v = viewer("127.0.1.1", "https://elsewhere.example");
        v.send(TestViewer.hello("https://video.corp.example/live/townhall/master.m3u8?token=abc", true, "ethernet"));
        v.awaitError("origin_not_allowed");
    }

    @Test
    void viewerTokensAreRequiredVerifiedAndExpire() throws Exception {
        start(Map.of());
        String secret = ViewerTokens.newSecret();
        appliance.policies().addStream(policy(null, SecurityLevel.BASIC, secret), TEST_ACTOR);

        TestViewer none = viewer("127.0.1.1");
        none.send(helloWithToken(null));
        none.awaitError("token_required");
        assertEquals(CloseCodes.POLICY_VIOLATION, none.awaitClose());

        TestViewer forged = viewer("127.0.1.2");
        forged.send(helloWithToken(mint(ViewerTokens.newSecret(), ID, 600, "eve")));
        assertTrue(forged.awaitError("token_invalid").get("message").asText().contains("signature"));
        assertEquals(CloseCodes.POLICY_VIOLATION, forged.awaitClose());

        TestViewer otherStream = viewer("127.0.1.3");
        otherStream.send(helloWithToken(mint(secret, "another", 600, null)));
        otherStream.awaitError("token_invalid");

        TestViewer expired = viewer("127.0.1.4");
        expired.send(helloWithToken(ViewerTokens.mint(secret, ID, Instant.now().minus(Duration.ofHours(2)),
                Instant.now().minus(Duration.ofHours(1)), "bob", null)));
        expired.awaitError("token_expired");
        assertEquals(CloseCodes.POLICY_VIOLATION, expired.awaitClose());

        TestViewer valid = viewer("127.0.1.5");
        JsonNode welcome = valid.joinWith(helloWithToken(mint(secret, ID, 600, "ann")));
        assertEquals(ID, welcome.get("streamId").asText());
        assertTrue(welcome.at("/policy/viewerParams").toString().contains("\"token\""),
                "the viewer learns which query parameters to leave out of segment ids");
    }

    @Test
    void intermediateSecurityKeepsViewersOutsideTrustedNetworksOutOfTheMesh() throws Exception {
        start(Map.of(ConfigKey.MESH_TRUSTED_NETWORKS, "127.0.7.0/24"));
        appliance.policies().addStream(policy(null, SecurityLevel.INTERMEDIATE, null), TEST_ACTOR);
        TestViewer inside1 = viewer("127.0.7.1");
        assertEquals("on", inside1.joinStream(ID).at("/policy/p2p").asText());
        TestViewer inside2 = viewer("127.0.7.2");
        inside2.joinStream(ID);
        inside1.await("neighbour");

        TestViewer outside = viewer("127.0.8.1");
        outside.send(TestViewer.hello(ID, true, "ethernet"));
        outside.awaitError("not_trusted_network");
        JsonNode welcome = outside.await("welcome");
        assertEquals("off", welcome.at("/policy/p2p").asText());
        awaitMeshIdle();
        assertEquals(List.of(), outside.drainThroughPong("neighbour"));
        outside.send("{\"type\":\"signal\",\"to\":\"" + inside1.peerId + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
        outside.awaitError("not_neighbour");
    }

    @Test
    void siteGroupsLetNamedSitesShareWhileOthersStayApart() throws Exception {
        start(Map.of());
        appliance.policies().addSite(new io.swarmgate.mesh.SiteRange("127.0.11.0/24", "paris", "Paris HQ"), TEST_ACTOR);
        appliance.policies().addSite(new io.swarmgate.mesh.SiteRange("127.0.12.0/24", "lyon", "Lyon"), TEST_ACTOR);
        appliance.policies().addStream(StreamPolicy.validated(ID, null, P2pMode.ON, Map.of(), 10, UploadRules.DEFAULT, List.of(),
                SecurityLevel.BASIC, List.of(Set.of("paris", "lyon")), TokenSettings.NONE, Instant.now()), TEST_ACTOR);
        TestViewer paris = viewer("127.0.11.1");
        assertEquals("paris", paris.joinStream(ID).get("site").asText());
        TestViewer lyon = viewer("127.0.12.1");
        lyon.joinStream(ID);
        assertEquals(lyon.peerId, paris.await("neighbour").get("peer").asText());
    }

    @Test
    void aViewerThatReconnectsWithinTheGraceKeepsItsPeerIdAndNeighbours() throws Exception {
        start(Map.of());
        TestViewer a = viewer("127.0.1.1");
        a.joinStream(ID);
        TestViewer b = viewer("127.0.1.2");
        b.joinStream(ID);
        b.await("neighbour");
        a.abort();
        // Reconnect only once the old socket is known dead, so the resume goes through the grace path.
        Await.until("the appliance to notice the dropped connection", Duration.ofSeconds(10),
                () -> appliance.signaling().connections() == 1);

        TestViewer again = viewer("127.0.1.1");
        again.send("{\"type\":\"hello\",\"v\":1,\"stream\":\"" + ID + "\",\"caps\":{\"upload\":true,\"network\":\"ethernet\","
                + "\"uploadKbps\":1000},\"resume\":{\"peerId\":\"" + a.peerId + "\",\"secret\":\"" + a.secret + "\"}}");
        JsonNode welcome = again.await("welcome");
        assertTrue(welcome.get("resumed").asBoolean());
        assertEquals(a.peerId, welcome.get("peerId").asText());
        JsonNode n = again.await("neighbour");
        assertEquals(b.peerId, n.get("peer").asText());
        assertTrue(n.get("offer").asBoolean(), "the resumed viewer re-offers");
        again.send("{\"type\":\"signal\",\"to\":\"" + b.peerId + "\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
        assertEquals(a.peerId, b.await("signal").get("from").asText());
    }

    @Test
    void aWrongResumeSecretGetsANewPeerId() throws Exception {
        start(Map.of());
        TestViewer a = viewer("127.0.1.1");
        a.joinStream(ID);
        a.abort();
        TestViewer thief = viewer("127.0.1.1");
        thief.send("{\"type\":\"hello\",\"v\":1,\"stream\":\"" + ID + "\",\"caps\":{\"upload\":true,\"network\":\"ethernet\","
                + "\"uploadKbps\":1000},\"resume\":{\"peerId\":\"" + a.peerId + "\",\"secret\":\"guess\"}}");
        thief.awaitError("resume_failed");
        JsonNode welcome = thief.await("welcome");
        assertFalse(welcome.get("resumed").asBoolean());
        assertNotEquals(a.peerId, welcome.get("peerId").asText());
    }

    @Test
    void policyChangesArePushedToConnectedViewers() throws Exception {
        start(Map.of());
        appliance.policies().addStream(policy(null, SecurityLevel.BASIC, null), TEST_ACTOR);
        TestViewer a = viewer("127.0.1.1");
        a.joinStream(ID);
        TestViewer b = viewer("127.0.1.2");
        b.joinStream(ID);
        a.await("neighbour");
        a.drain();

        appliance.policies().updateStream(ID, p -> StreamPolicy.validated(p.id(), p.urlPattern(), P2pMode.DOWNLOAD_ONLY,
                p.siteModes(), p.maxNeighbours(), p.upload(), p.allowedOrigins(), p.securityLevel(),
                p.siteGroups(), p.tokens(), p.updatedAt()), TEST_ACTOR);
        JsonNode update = a.await("policy");
        assertEquals("download-only", update.at("/policy/p2p").asText());
        // a is placed again ("policy"), or its neighbour was placed again first ("left"): either way the pair is gone.
        JsonNode gone = a.await("neighbour-gone");
        assertEquals(b.peerId, gone.get("peer").asText());
        assertTrue(Set.of("policy", "left").contains(gone.get("reason").asText()), gone.toString());

        appliance.policies().updateStream(ID, p -> StreamPolicy.validated(p.id(), p.urlPattern(), P2pMode.ON,
                Map.of("auto:127.0.1.0/24", P2pMode.OFF), p.maxNeighbours(), p.upload(), p.allowedOrigins(),
                p.securityLevel(), p.siteGroups(), p.tokens(), p.updatedAt()), TEST_ACTOR);
        assertEquals("off", a.await("policy").at("/policy/p2p").asText());
    }

    @Test
    void aNewOriginRestrictionDisconnectsViewersFromOtherOrigins() throws Exception {
        start(Map.of());
        appliance.policies().addStream(policy("https://old-portal.corp.example", SecurityLevel.BASIC, null), TEST_ACTOR);
        TestViewer a = viewer("127.0.1.1", "https://old-portal.corp.example");
        a.joinStream(ID);
        appliance.policies().updateStream(ID, p -> StreamPolicy.validated(p.id(), p.urlPattern(), p.p2pMode(),
                p.siteModes(), p.maxNeighbours(), p.upload(), List.of("https://intranet.corp.example"),
                p.securityLevel(), p.siteGroups(), p.tokens(), p.updatedAt()), TEST_ACTOR);
        a.awaitError("origin_not_allowed");
        assertEquals(CloseCodes.POLICY_VIOLATION, a.awaitClose());
    }
}
