package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.Actor;
import io.swarmgate.SettableClock;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.policy.UploadRules;
import io.swarmgate.policy.ViewerTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Viewer tokens as standard JWTs: plain-HMAC tokens, lifetimes, secret rotation, viewers per token. */
@Timeout(60)
class SignalingTokensIT extends SignalingTestBase {

    private static final Actor TEST_ACTOR = Actor.cli("test");

    private static final String ID = "townhall";
    private final SettableClock clock = SettableClock.at(Instant.now());

    private void startWithPolicy(TokenSettings tokens) throws Exception {
        // Heartbeats far apart, so moving the clock past a rotation grace closes nobody for silence.
        start(Map.of(ConfigKey.SIGNALING_HEARTBEAT_MS, "300000"), clock);
        appliance.policies().addStream(StreamPolicy.validated(ID, null, P2pMode.ON, Map.of(), 10, UploadRules.DEFAULT, List.of(),
                SecurityLevel.BASIC, List.of(), tokens, clock.instant()), TEST_ACTOR);
    }

    private static String hello(String token) {
        return "{\"type\":\"hello\",\"v\":1,\"stream\":\"" + ID + "\",\"caps\":{\"upload\":true,\"network\":\"ethernet\","
                + "\"uploadKbps\":1000},\"token\":\"" + token + "\"}";
    }

    /** A JWT built by hand, the way any JWT library or a few lines of HMAC code make one. */
    private static String plainJwt(String secret, String header, String claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    private String token(String secret, String jti) {
        return ViewerTokens.mint(secret, ID, clock.instant(), clock.instant().plusSeconds(3600), "viewer", jti);
    }

    private void refusedWith(String source, String token, String code) throws Exception {
        TestViewer v = viewer(source);
        v.send(hello(token));
        v.awaitError(code);
        assertEquals(CloseCodes.POLICY_VIOLATION, v.awaitClose());
    }

    @Test
    void aJwtMintedWithAPlainHmacIsAcceptedAndOtherAlgorithmsAreNot() throws Exception {
        String secret = ViewerTokens.newSecret();
        startWithPolicy(TokenSettings.NONE.withSecret(secret, clock.instant()));
        long now = clock.instant().getEpochSecond();
        String claims = "{\"sub\":\"ann\",\"aud\":\"" + ID + "\",\"iat\":" + now + ",\"exp\":" + (now + 600) + "}";
        JsonNode welcome = viewer("127.0.1.1").joinWith(hello(plainJwt(secret, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims)));
        assertEquals(ID, welcome.get("streamId").asText());

        refusedWith("127.0.1.2", plainJwt(secret, "{\"alg\":\"RS256\"}", claims), "token_invalid");
        String none = plainJwt(secret, "{\"alg\":\"none\"}", claims);
        refusedWith("127.0.1.3", none.substring(0, none.lastIndexOf('.') + 1), "token_invalid");
    }

    @Test
    void aTokenLivingLongerThanThePolicyAllowsIsRefused() throws Exception {
        String secret = ViewerTokens.newSecret();
        startWithPolicy(TokenSettings.NONE.withSecret(secret, clock.instant())
                .withLimits(Duration.ofHours(4), TokenSettings.DEFAULT_ROTATION_GRACE, 0));
        Instant now = clock.instant();
        refusedWith("127.0.1.1", ViewerTokens.mint(secret, ID, now, now.plus(Duration.ofHours(5)), null, null),
                "token_lifetime_too_long");
        viewer("127.0.1.2").joinWith(hello(ViewerTokens.mint(secret, ID, now, now.plus(Duration.ofHours(4)), null, null)));
    }

    @Test
    void rotatingTheSecretClosesViewersOfTheOldOneAfterTheGraceAndKeepsTheOthers() throws Exception {
        String oldSecret = ViewerTokens.newSecret();
        startWithPolicy(TokenSettings.NONE.withSecret(oldSecret, clock.instant())
                .withLimits(TokenSettings.DEFAULT_MAX_LIFETIME, Duration.ofMinutes(5), 0));
        TestViewer early = viewer("127.0.1.1");
        early.joinWith(hello(token(oldSecret, null)));

        String newSecret = ViewerTokens.newSecret();
        appliance.policies().updateStream(ID, p -> StreamPolicy.validated(p.id(), p.urlPattern(), p.p2pMode(),
                p.siteModes(), p.maxNeighbours(), p.upload(), p.allowedOrigins(), p.securityLevel(),
                p.siteGroups(), p.tokens().withSecret(newSecret, clock.instant()), p.updatedAt()), TEST_ACTOR);
        TestViewer renewed = viewer("127.0.1.2");
        renewed.joinWith(hello(token(newSecret, null)));
        TestViewer lateWithOld = viewer("127.0.1.3"); // the old secret still admits during the grace
        lateWithOld.joinWith(hello(token(oldSecret, null)));

        clock.advance(Duration.ofMinutes(4));
        awaitMeshIdle();
        for (TestViewer v : List.of(early, renewed, lateWithOld)) {
            assertTrue(v.drainThroughPong("error").isEmpty(), "nobody is closed during the grace");
        }

        clock.advance(Duration.ofMinutes(1));
        for (TestViewer v : List.of(early, lateWithOld)) {
            assertTrue(v.awaitError("token_invalid").get("message").asText().contains("secret"));
            assertEquals(CloseCodes.POLICY_VIOLATION, v.awaitClose());
        }
        awaitMeshIdle();
        assertTrue(renewed.drainThroughPong("error").isEmpty(), "a viewer whose token verifies stays");
        assertTrue(renewed.isOpen());
        refusedWith("127.0.1.4", token(oldSecret, null), "token_invalid");
    }

    @Test
    void aTokenAdmitsAtMostTheConfiguredNumberOfConnectedViewers() throws Exception {
        String secret = ViewerTokens.newSecret();
        startWithPolicy(TokenSettings.NONE.withSecret(secret, clock.instant())
                .withLimits(TokenSettings.DEFAULT_MAX_LIFETIME, TokenSettings.DEFAULT_ROTATION_GRACE, 2));
        String shared = token(secret, "shared-1");
        TestViewer first = viewer("127.0.1.1");
        first.joinWith(hello(shared));
        viewer("127.0.1.2").joinWith(hello(shared));
        refusedWith("127.0.1.3", shared, "token_viewer_limit");
        viewer("127.0.1.4").joinWith(hello(token(secret, "another"))); // other tokens are counted apart

        first.send("{\"type\":\"bye\"}");
        first.awaitClose();
        awaitMeshIdle(); // its seat is given back when its close has reached the mesh thread
        viewer("127.0.1.5").joinWith(hello(shared));
    }
}
