package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.swarmgate.api.Json;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closed by default: which page origins may join streams with and without an origin list. */
@Timeout(60)
class SignalingOriginsIT extends SignalingTestBase {

    private static final Actor TEST_ACTOR = Actor.cli("test");

    private static final String INTRANET = "https://intranet.corp.example";
    private static final String EVIL = "http://evil.example.com";

    @BeforeEach
    void startWithAnIntranetOrigin() throws Exception {
        start(Map.of(ConfigKey.SECURITY_INTRANET_ORIGINS, INTRANET + ", https://Portal.Corp.Example:443"));
    }

    private String ownOrigin() {
        return "http://127.0.0.1:" + appliance.httpUri().getPort();
    }

    private void refused(String source, String origin, String stream) throws Exception {
        TestViewer v = viewer(source, origin);
        v.send(TestViewer.hello(stream, true, "ethernet"));
        v.awaitError("origin_not_allowed");
        assertEquals(CloseCodes.POLICY_VIOLATION, v.awaitClose());
    }

    private void admitted(String source, String origin, String stream) throws Exception {
        assertEquals(stream, viewer(source, origin).joinStream(stream).get("streamId").asText());
    }

    private void addPolicy(List<String> origins) {
        try {
            appliance.policies().addStream(StreamPolicy.validated("townhall", null, P2pMode.ON, Map.of(), 10, UploadRules.DEFAULT,
                    origins, SecurityLevel.BASIC, List.of(), TokenSettings.NONE, Instant.now()), TEST_ACTOR);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void refusedOriginsReachTheAuditLogOncePerMinuteAndAddress() throws Exception {
        for (int i = 0; i < 3; i++) {
            refused("127.0.1.1", EVIL, "demo");
        }
        refused("127.0.1.9", EVIL, "demo");
        appliance.audit().digest().flush();
        List<io.swarmgate.audit.AuditEntry> entries = appliance.audit().log().page(new io.swarmgate.audit.AuditLog
                .Filter(null, null, null, "signaling.refused", null), null, 10);
        assertEquals(2, entries.size(), entries.toString());
        io.swarmgate.audit.AuditEntry burst = entries.stream().filter(e -> "127.0.1.1".equals(e.source()))
                .findFirst().orElseThrow();
        assertEquals("system", burst.actor());
        assertEquals(EVIL, burst.target());
        assertEquals("denied", burst.outcome());
        assertEquals(3, Json.MAPPER.readTree(burst.details()).get("count").asInt(), burst.details());
        assertEquals("origin_not_allowed", Json.MAPPER.readTree(burst.details()).get("reason").asText());
    }

    @Test
    void aStreamWithoutPolicyRefusesOtherOriginsAndAdmitsTheAppliancesOwnAndTheIntranet() throws Exception {
        refused("127.0.1.1", EVIL, "demo");
        admitted("127.0.1.2", ownOrigin(), "demo");
        admitted("127.0.1.3", "http://localhost:" + appliance.httpUri().getPort(), "demo");
        admitted("127.0.1.4", INTRANET, "demo");
        admitted("127.0.1.5", "https://portal.corp.example", "demo"); // configured with its default port, any case
        refused("127.0.1.6", "http://127.0.0.1:1", "demo"); // the appliance's address, not one of its ports
        refused("127.0.1.7", "https://127.0.0.1:" + appliance.httpUri().getPort(), "demo"); // wrong scheme for that port
        refused("127.0.1.8", "null", "demo"); // sandboxed pages and file: URLs
    }

    @Test
    void aConnectionWithoutOriginIsNotABrowserPageAndIsAdmitted() throws Exception {
        admitted("127.0.1.1", null, "demo");
    }

    @Test
    void aPolicyWithoutOriginsUsesTheDefaults() throws Exception {
        addPolicy(List.of());
        refused("127.0.1.1", EVIL, "townhall");
        admitted("127.0.1.2", INTRANET, "townhall");
        admitted("127.0.1.3", ownOrigin(), "townhall");
    }

    @Test
    void aPolicyWithOriginsAdmitsExactlyThose() throws Exception {
        addPolicy(List.of("https://other.corp.example"));
        admitted("127.0.1.1", "https://other.corp.example", "townhall");
        refused("127.0.1.2", INTRANET, "townhall");
        refused("127.0.1.3", EVIL, "townhall");
    }

    @Test
    void allowAnyOriginAdmitsEveryPage() throws Exception {
        addPolicy(List.of(StreamPolicy.ANY_ORIGIN));
        admitted("127.0.1.1", EVIL, "townhall");
        admitted("127.0.1.2", "null", "townhall");
    }
}
