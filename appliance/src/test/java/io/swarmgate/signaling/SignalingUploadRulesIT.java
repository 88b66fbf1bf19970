package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.Actor;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.policy.UploadRules;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The appliance decides who uploads: viewers declare their network, Save-Data and the page's
 * permission; {@code welcome} and {@code policy} carry the decision and the per-viewer caps, and the
 * coordinator uses exactly the viewers it told they may upload as sources.
 */
@Timeout(60)
class SignalingUploadRulesIT extends SignalingTestBase {

    private static final Actor TEST_ACTOR = Actor.cli("test");
    private static final String ID = "townhall";

    private void addPolicy(UploadRules upload) throws Exception {
        appliance.policies().addStream(StreamPolicy.validated(ID, null, P2pMode.ON, Map.of(), 10, upload, List.of(),
                SecurityLevel.BASIC, List.of(), TokenSettings.NONE, Instant.now()), TEST_ACTOR);
    }

    private void changeUpload(UnaryOperator<UploadRules> change) throws Exception {
        appliance.policies().updateStream(ID, p -> StreamPolicy.validated(p.id(), p.urlPattern(), p.p2pMode(),
                p.siteModes(), p.maxNeighbours(), change.apply(p.upload()), p.allowedOrigins(), p.securityLevel(),
                p.siteGroups(), p.tokens(), p.updatedAt()), TEST_ACTOR);
    }

    private static String hello(String network, boolean upload, boolean saveData) {
        return "{\"type\":\"hello\",\"v\":1,\"stream\":\"" + ID + "\",\"sdk\":\"test\",\"caps\":{\"upload\":" + upload
                + ",\"network\":\"" + network + "\",\"uploadKbps\":0,\"saveData\":" + saveData + "}}";
    }

    private TestViewer join(String source, String network) throws Exception {
        TestViewer v = viewer(source);
        v.joinWith(hello(network, true, false));
        return v;
    }

    @Test
    void welcomeCarriesTheUploadRulesAndTheDecisionForThisViewer() throws Exception {
        start(Map.of());
        addPolicy(new UploadRules(false, true, 3, 8_000));
        JsonNode policy = viewer("127.0.21.1").joinWith(hello("ethernet", true, false)).get("policy");
        assertFalse(policy.get("uploadOnCellular").asBoolean());
        assertTrue(policy.get("uploadOnWifi").asBoolean());
        assertTrue(policy.at("/upload/allowed").asBoolean(), policy.toString());
        assertEquals(3, policy.at("/upload/maxUploads").asInt());
        assertEquals(8_000, policy.at("/upload/maxKbps").asInt());

        assertFalse(viewer("127.0.21.2").joinWith(hello("cellular", true, false)).at("/policy/upload/allowed")
                .asBoolean(), "cellular, not allowed by the policy");
        assertTrue(viewer("127.0.21.3").joinWith(hello("wifi", true, false)).at("/policy/upload/allowed").asBoolean());
        assertFalse(viewer("127.0.21.4").joinWith(hello("ethernet", true, true)).at("/policy/upload/allowed")
                .asBoolean(), "the user asked to save data");
        assertFalse(viewer("127.0.21.5").joinWith(hello("ethernet", false, false)).at("/policy/upload/allowed")
                .asBoolean(), "the page does not let it upload");
    }

    @Test
    void aCellularViewerUploadsExactlyWhenThePolicyAllowsIt() throws Exception {
        start(Map.of());
        addPolicy(UploadRules.DEFAULT);
        TestViewer a = join("127.0.22.1", "cellular");
        TestViewer b = join("127.0.22.2", "cellular");
        awaitMeshIdle();
        // Neither is a source, and two viewers that do not upload are never paired.
        assertEquals(List.of(), a.drainThroughPong("neighbour"));
        assertEquals(List.of(), b.drainThroughPong("neighbour"));

        // The re-check runs on the mesh thread behind the change; which viewer it places first
        // varies, so look at everything each was sent, not at one order.
        changeUpload(u -> u.withOnCellular(true));
        awaitMeshIdle();
        List<JsonNode> toA = a.drainThroughPong();
        assertTrue(lastPolicy(toA).at("/upload/allowed").asBoolean(), toA.toString());
        assertTrue(lastPolicy(b.drainThroughPong()).at("/upload/allowed").asBoolean());
        assertEquals(Set.of(b.peerId), neighbours(toA, Set.of()), "both upload now, so they are paired");

        changeUpload(u -> u.withOnCellular(false));
        awaitMeshIdle();
        toA = a.drainThroughPong();
        assertFalse(lastPolicy(toA).at("/upload/allowed").asBoolean(), toA.toString());
        assertEquals(Set.of(), neighbours(toA, Set.of(b.peerId)), "placed again without uploading: no pair");
    }

    private static JsonNode lastPolicy(List<JsonNode> messages) {
        return messages.stream().filter(m -> "policy".equals(m.path("type").asText())).reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError("no policy message among " + messages)).get("policy");
    }

    private static Set<String> neighbours(List<JsonNode> messages, Set<String> before) {
        Set<String> now = new java.util.HashSet<>(before);
        for (JsonNode m : messages) {
            switch (m.path("type").asText()) {
                case "neighbour" -> now.add(m.get("peer").asText());
                case "neighbour-gone" -> now.remove(m.get("peer").asText());
                default -> { }
            }
        }
        return now;
    }

    @Test
    void turningCellularUploadOnLeavesWiredViewersWhereTheyAre() throws Exception {
        start(Map.of());
        addPolicy(UploadRules.DEFAULT);
        TestViewer wired1 = join("127.0.26.1", "ethernet");
        TestViewer wired2 = join("127.0.26.2", "ethernet");
        TestViewer phone = join("127.0.27.1", "cellular");
        assertEquals(wired2.peerId, wired1.await("neighbour").get("peer").asText());
        awaitMeshIdle();
        wired1.drainThroughPong();

        changeUpload(u -> u.withOnCellular(true));
        awaitMeshIdle();
        assertTrue(lastPolicy(phone.drainThroughPong()).at("/upload/allowed").asBoolean());
        List<JsonNode> toWired = wired1.drainThroughPong();
        assertEquals(List.of(), toWired.stream().filter(m -> "neighbour-gone".equals(m.path("type").asText())).toList(),
                "its upload decision did not change, so it keeps its neighbours");
        JsonNode told = lastPolicy(toWired);
        assertTrue(told.get("uploadOnCellular").asBoolean(), "it hears the stream's new rule");
        assertTrue(told.at("/upload/allowed").asBoolean());
    }

    @Test
    void wifiViewersStopUploadingWhenThePolicySaysSo() throws Exception {
        start(Map.of());
        addPolicy(UploadRules.DEFAULT.withOnWifi(false));
        TestViewer wifi = join("127.0.23.1", "wifi");
        TestViewer other = join("127.0.23.2", "wifi");
        awaitMeshIdle();
        assertEquals(List.of(), wifi.drainThroughPong("neighbour"));
        assertEquals(List.of(), other.drainThroughPong("neighbour"));
        TestViewer wired = join("127.0.23.3", "ethernet");
        awaitMeshIdle();
        assertEquals(Set.of(wifi.peerId, other.peerId), wired.neighbours(Set.of()),
                "a wired uploader serves the Wi-Fi viewers");
    }

    @Test
    void streamsWithoutAPolicyFollowTheConfiguredDefaults() throws Exception {
        start(Map.of(ConfigKey.MESH_UPLOAD_ON_CELLULAR, "true", ConfigKey.MESH_UPLOAD_ON_WIFI, "false",
                ConfigKey.MESH_MAX_UPLOADS, "2", ConfigKey.MESH_MAX_UPLOAD_KBPS, "6000"));
        String hello = hello("cellular", true, false).replace("\"" + ID + "\"", "\"no-policy-stream\"");
        JsonNode policy = viewer("127.0.25.1").joinWith(hello).get("policy");
        assertTrue(policy.at("/upload/allowed").asBoolean(), policy.toString());
        assertFalse(policy.get("uploadOnWifi").asBoolean());
        assertEquals(2, policy.at("/upload/maxUploads").asInt());
        assertEquals(6_000, policy.at("/upload/maxKbps").asInt());
    }

    @Test
    void changedCapsReachConnectedViewersWithoutMovingThem() throws Exception {
        start(Map.of());
        addPolicy(UploadRules.DEFAULT);
        TestViewer a = join("127.0.24.1", "ethernet");
        TestViewer b = join("127.0.24.2", "ethernet");
        assertEquals(b.peerId, a.await("neighbour").get("peer").asText());

        changeUpload(u -> u.withMaxUploads(2).withMaxUploadKbps(5_000));
        awaitMeshIdle();
        List<JsonNode> toA = a.drainThroughPong();
        JsonNode update = lastPolicy(toA);
        assertEquals(2, update.at("/upload/maxUploads").asInt());
        assertEquals(5_000, update.at("/upload/maxKbps").asInt());
        assertTrue(update.at("/upload/allowed").asBoolean());
        assertEquals(Set.of(b.peerId), neighbours(toA, Set.of(b.peerId)), "the caps do not change the mesh");
    }
}
