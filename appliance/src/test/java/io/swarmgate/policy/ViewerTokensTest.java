package io.swarmgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The JWT verifier. Tokens are built here by hand with a plain HMAC, independent of
 * {@link ViewerTokens#mint}, so a mistake shared by minting and verifying cannot hide.
 */
class ViewerTokensTest {

    private static final String SECRET = ViewerTokens.newSecret();
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final long T = NOW.getEpochSecond();
    private static final Duration MAX = Duration.ofHours(24);
    private static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(String secret, String signingInput) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String jwt(String header, String claims) throws Exception {
        String input = b64(header) + "." + b64(claims);
        return input + "." + sign(SECRET, input);
    }

    private static String claims(String extra) {
        return "{\"aud\":\"townhall\",\"iat\":" + T + ",\"exp\":" + (T + 3600) + extra + "}";
    }

    private static ViewerTokens.Verified verify(String token) throws ViewerTokens.TokenException {
        return ViewerTokens.verify(List.of(SECRET), "townhall", token, NOW, MAX);
    }

    private static ViewerTokens.TokenException refused(String token) {
        return assertThrows(ViewerTokens.TokenException.class, () -> verify(token));
    }

    @Test
    void aTokenSignedWithAPlainHmacVerifiesAndYieldsItsSubject() throws Exception {
        ViewerTokens.Verified v = verify(jwt(HS256, claims(",\"sub\":\"ann\",\"jti\":\"t-1\"")));
        assertEquals("ann", v.subject());
        assertEquals("jti:t-1", v.key());
        assertEquals(Instant.ofEpochSecond(T + 3600), v.expires());
        assertEquals(ViewerTokens.fingerprint(SECRET), v.secretPrint());
    }

    @Test
    void typIsOptionalAndAudMayBeAnArray() throws Exception {
        assertNull(verify(jwt("{\"alg\":\"HS256\"}", "{\"aud\":[\"other\",\"townhall\"],\"exp\":" + (T + 60) + "}"))
                .subject());
    }

    @Test
    void aTokenWithoutJtiIsKeyedByItsHash() throws Exception {
        String token = jwt(HS256, claims(""));
        assertTrue(verify(token).key().startsWith("sha256:"));
        assertNotEquals(verify(token).key(), verify(jwt(HS256, claims(",\"sub\":\"bob\""))).key());
    }

    @Test
    void mintedTokensVerify() throws Exception {
        String token = ViewerTokens.mint(SECRET, "townhall", NOW, NOW.plusSeconds(600), "ann", "id-1");
        assertEquals("jti:id-1", verify(token).key());
    }

    @Test
    void aWrongSignatureIsRefused() throws Exception {
        String input = b64(HS256) + "." + b64(claims(""));
        assertEquals(ViewerTokens.Failure.BAD_SIGNATURE, refused(input + "." + sign(ViewerTokens.newSecret(), input)).failure());
    }

    @Test
    void aChangedPayloadBreaksTheSignature() throws Exception {
        String[] parts = jwt(HS256, claims(",\"sub\":\"ann\"")).split("\\.");
        String forged = parts[0] + "." + b64(claims(",\"sub\":\"eve\"")) + "." + parts[2];
        assertEquals(ViewerTokens.Failure.BAD_SIGNATURE, refused(forged).failure());
    }

    @Test
    void algNoneIsRefusedEvenWithoutASignature() throws Exception {
        String none = b64("{\"alg\":\"none\"}") + "." + b64(claims("")) + ".";
        assertEquals(ViewerTokens.Failure.BAD_ALGORITHM, refused(none).failure());
        assertEquals(ViewerTokens.Failure.BAD_ALGORITHM, refused(jwt("{\"alg\":\"none\"}", claims(""))).failure());
    }

    @Test
    void otherAlgorithmsAreRefused() throws Exception {
        for (String alg : List.of("RS256", "HS512", "hs256", "ES256")) {
            ViewerTokens.TokenException e = refused(jwt("{\"alg\":\"" + alg + "\"}", claims("")));
            assertEquals(ViewerTokens.Failure.BAD_ALGORITHM, e.failure(), alg);
            assertTrue(e.getMessage().contains(alg), e.getMessage());
        }
        assertEquals(ViewerTokens.Failure.BAD_ALGORITHM, refused(jwt("{\"typ\":\"JWT\"}", claims(""))).failure());
        assertEquals(ViewerTokens.Failure.BAD_ALGORITHM, refused(jwt("{\"alg\":[\"HS256\"]}", claims(""))).failure());
    }

    @Test
    void aTypOtherThanJwtAndCriticalExtensionsAreRefused() throws Exception {
        assertEquals(ViewerTokens.Failure.MALFORMED,
                refused(jwt("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", claims(""))).failure());
        assertEquals(ViewerTokens.Failure.MALFORMED,
                refused(jwt("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", claims(""))).failure());
    }

    @Test
    void aTokenWithoutExpIsRefused() throws Exception {
        ViewerTokens.TokenException e = refused(jwt(HS256, "{\"aud\":\"townhall\",\"iat\":" + T + "}"));
        assertEquals(ViewerTokens.Failure.MISSING_CLAIM, e.failure());
        assertTrue(e.getMessage().contains("exp"), e.getMessage());
    }

    @Test
    void aTokenWithoutAudIsRefused() throws Exception {
        assertEquals(ViewerTokens.Failure.MISSING_CLAIM, refused(jwt(HS256, "{\"exp\":" + (T + 60) + "}")).failure());
    }

    @Test
    void anExpiredTokenIsRefusedOnceTheClockSkewHasPassed() throws Exception {
        assertEquals(ViewerTokens.Failure.EXPIRED, refused(jwt(HS256,
                "{\"aud\":\"townhall\",\"exp\":" + (T - ViewerTokens.CLOCK_SKEW_SECONDS) + "}")).failure());
        verify(jwt(HS256, "{\"aud\":\"townhall\",\"exp\":" + (T - ViewerTokens.CLOCK_SKEW_SECONDS + 1) + "}"));
    }

    @Test
    void nbfAndIatInTheFutureAreNotYetValid() throws Exception {
        assertEquals(ViewerTokens.Failure.NOT_YET_VALID, refused(jwt(HS256, claims(",\"nbf\":" + (T + 120)))).failure());
        verify(jwt(HS256, claims(",\"nbf\":" + (T + 30)))); // within the clock skew
        assertEquals(ViewerTokens.Failure.NOT_YET_VALID, refused(jwt(HS256,
                "{\"aud\":\"townhall\",\"iat\":" + (T + 600) + ",\"exp\":" + (T + 1200) + "}")).failure());
    }

    @Test
    void aTokenForAnotherStreamIsRefused() throws Exception {
        assertEquals(ViewerTokens.Failure.WRONG_AUDIENCE,
                refused(jwt(HS256, "{\"aud\":\"other\",\"exp\":" + (T + 60) + "}")).failure());
        assertEquals(ViewerTokens.Failure.WRONG_AUDIENCE,
                refused(jwt(HS256, "{\"aud\":[\"a\",\"b\"],\"exp\":" + (T + 60) + "}")).failure());
        assertEquals(ViewerTokens.Failure.MALFORMED,
                refused(jwt(HS256, "{\"aud\":42,\"exp\":" + (T + 60) + "}")).failure());
    }

    @Test
    void aLifetimeOverThePolicysMaximumIsRefused() throws Exception {
        Duration max = Duration.ofHours(4);
        String withIat = jwt(HS256, "{\"aud\":\"townhall\",\"iat\":" + (T - 3600) + ",\"exp\":" + (T + 4 * 3600) + "}");
        ViewerTokens.TokenException e = assertThrows(ViewerTokens.TokenException.class,
                () -> ViewerTokens.verify(List.of(SECRET), "townhall", withIat, NOW, max));
        assertEquals(ViewerTokens.Failure.LIFETIME_TOO_LONG, e.failure());
        assertTrue(e.getMessage().contains("exp - iat"), e.getMessage());
        String withoutIat = jwt(HS256, "{\"aud\":\"townhall\",\"exp\":" + (T + 4 * 3600 + 1) + "}");
        assertEquals(ViewerTokens.Failure.LIFETIME_TOO_LONG, assertThrows(ViewerTokens.TokenException.class,
                () -> ViewerTokens.verify(List.of(SECRET), "townhall", withoutIat, NOW, max)).failure());
        String exactly = jwt(HS256, "{\"aud\":\"townhall\",\"iat\":" + T + ",\"exp\":" + (T + 4 * 3600) + "}");
        ViewerTokens.verify(List.of(SECRET), "townhall", exactly, NOW, max);
    }

    @Test
    void theOldFormatOfTwoPartsIsRefused() throws Exception {
        String payload = b64("{\"stream\":\"townhall\",\"exp\":" + (T + 60) + "}");
        ViewerTokens.TokenException e = refused(payload + "." + sign(SECRET, payload));
        assertEquals(ViewerTokens.Failure.MALFORMED, e.failure());
        assertTrue(e.getMessage().contains("three parts"), e.getMessage());
    }

    @Test
    void malformedPartsAreRefused() throws Exception {
        String good = jwt(HS256, claims(""));
        String[] p = good.split("\\.");
        for (String bad : List.of("", ".", "..", "a.b.c.d", p[0] + "." + p[1] + "." + p[2] + ".", "." + p[1] + "." + p[2],
                p[0] + ".." + p[2], p[0] + "." + p[1] + ".", p[0] + "." + p[1] + "." + p[2] + " ",
                p[0].replace('-', '+') + "x/." + p[1] + "." + p[2])) {
            assertEquals(ViewerTokens.Failure.MALFORMED, refused(bad).failure(), "'" + bad + "'");
        }
    }

    @Test
    void paddingIsRefused() throws Exception {
        String header = Base64.getUrlEncoder().encodeToString("{\"alg\": \"HS256\"}".getBytes(StandardCharsets.UTF_8));
        assertTrue(header.endsWith("="), "the test needs a header whose encoding is padded");
        String input = header + "." + b64(claims(""));
        assertEquals(ViewerTokens.Failure.MALFORMED, refused(input + "." + sign(SECRET, input)).failure());
    }

    @Test
    void nonCanonicalBase64IsRefused() throws Exception {
        String good = jwt(HS256, claims(""));
        String sig = good.substring(good.lastIndexOf('.') + 1);
        // The last character of 43 base64url characters carries 2 unused bits; setting one keeps the bytes.
        char last = sig.charAt(sig.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char stray = alphabet.charAt(alphabet.indexOf(last) | 1);
        if (stray != last) {
            String bent = good.substring(0, good.length() - 1) + stray;
            assertEquals(ViewerTokens.Failure.MALFORMED, refused(bent).failure());
        }
    }

    @Test
    void partsThatAreNotJsonObjectsAreRefused() throws Exception {
        for (String claims : List.of("[1,2]", "\"text\"", "42", "null", "{\"aud\":\"townhall\"", "{} {}",
                "{\"aud\":\"townhall\",\"aud\":\"other\",\"exp\":" + (T + 60) + "}")) {
            assertEquals(ViewerTokens.Failure.MALFORMED, refused(jwt(HS256, claims)).failure(), claims);
        }
        assertEquals(ViewerTokens.Failure.MALFORMED, refused(jwt("[\"HS256\"]", claims(""))).failure());
    }

    @Test
    void claimsOfTheWrongTypeAreRefused() throws Exception {
        for (String claims : List.of("{\"aud\":\"townhall\",\"exp\":\"" + (T + 60) + "\"}",
                "{\"aud\":\"townhall\",\"exp\":1e300}", "{\"aud\":\"townhall\",\"exp\":-1}",
                claims(",\"sub\":42"), claims(",\"nbf\":true"), claims(",\"jti\":\"" + "x".repeat(300) + "\""))) {
            assertEquals(ViewerTokens.Failure.MALFORMED, refused(jwt(HS256, claims)).failure(), claims);
        }
    }

    @Test
    void hugeAndGarbageInputIsRefusedWithoutDecoding() {
        assertEquals(ViewerTokens.Failure.MALFORMED, refused("a".repeat(1_000_000)).failure());
        assertEquals(ViewerTokens.Failure.MALFORMED, refused("a".repeat(2000) + "." + "b".repeat(2000) + ".c").failure());
        assertEquals(ViewerTokens.Failure.MALFORMED, refused("\u0000\u00ff.\ud83d\ude00.%%").failure());
        assertEquals(ViewerTokens.Failure.MALFORMED, refused("eyJ.eyJ.eyJ").failure());
    }

    @Test
    void thePreviousSecretVerifiesWhenOffered() throws Exception {
        String old = ViewerTokens.newSecret();
        String input = b64(HS256) + "." + b64(claims(""));
        String token = input + "." + sign(old, input);
        ViewerTokens.Verified v = ViewerTokens.verify(List.of(SECRET, old), "townhall", token, NOW, MAX);
        assertEquals(ViewerTokens.fingerprint(old), v.secretPrint());
        assertThrows(ViewerTokens.TokenException.class,
                () -> ViewerTokens.verify(List.of(SECRET), "townhall", token, NOW, MAX));
    }

    @Test
    void messagesNeverContainTheTokenOrTheSecret() throws Exception {
        String token = jwt(HS256, "{\"aud\":\"other\",\"exp\":" + (T + 60) + "}");
        String message = refused(token).getMessage();
        assertTrue(!message.contains(token) && !message.contains(SECRET), message);
    }
}
