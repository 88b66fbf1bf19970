package io.swarmgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed viewer tokens (docs/protocol.md, "Viewer tokens"):
 * {@code base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))} with payload
 * {@code {"stream":…,"exp":…,"sub":…}}. An intranet portal mints them with the stream's secret;
 * the appliance verifies signature, stream claim and expiry.
 */
public final class ViewerTokens {

    /** Allowed difference between the portal's clock and the appliance's. */
    public static final long CLOCK_SKEW_SECONDS = 60;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ViewerTokens() {
    }

    /** Why a token was refused; maps one-to-one to signaling error codes. */
    public enum Failure { INVALID, EXPIRED }

    /** A refused token. The message never contains the token or the secret. */
    public static final class TokenException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Failure failure;

        TokenException(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /** A new random secret: 32 bytes, base64url. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return B64.encodeToString(key);
    }

    public static String mint(String secret, String streamId, Instant expires, String subject) {
        ObjectNode payload = MAPPER.createObjectNode().put("stream", streamId).put("exp", expires.getEpochSecond());
        if (subject != null) {
            payload.put("sub", subject);
        }
        String body = B64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(hmac(secret, body));
    }

    /** Verifies {@code token} for {@code streamId} at {@code now}; returns the subject (may be null). */
    public static String verify(String secret, String streamId, String token, Instant now) throws TokenException {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new TokenException(Failure.INVALID, "token is not of the form payload.signature");
        }
        String body = token.substring(0, dot);
        byte[] signature;
        JsonNode payload;
        try {
            signature = B64D.decode(token.substring(dot + 1));
            payload = MAPPER.readTree(B64D.decode(body));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new TokenException(Failure.INVALID, "token is not valid base64url JSON");
        }
        // Constant-time comparison: the signature check must not leak how many bytes matched.
        if (!MessageDigest.isEqual(hmac(secret, body), signature)) {
            throw new TokenException(Failure.INVALID, "token signature does not verify");
        }
        if (payload == null || !payload.isObject() || !payload.path("stream").isTextual()
                || !payload.path("exp").canConvertToLong()) {
            throw new TokenException(Failure.INVALID, "token payload lacks 'stream' or 'exp'");
        }
        if (!streamId.equals(payload.get("stream").asText())) {
            throw new TokenException(Failure.INVALID, "token is for another stream");
        }
        if (payload.get("exp").asLong() + CLOCK_SKEW_SECONDS < now.getEpochSecond()) {
            throw new TokenException(Failure.EXPIRED, "token expired at "
                    + Instant.ofEpochSecond(payload.get("exp").asLong()));
        }
        return payload.path("sub").isTextual() ? payload.get("sub").asText() : null;
    }

    private static byte[] hmac(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(B64D.decode(secret), "HmacSHA256"));
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
