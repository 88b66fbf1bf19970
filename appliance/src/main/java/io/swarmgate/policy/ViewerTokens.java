package io.swarmgate.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Viewer tokens are standard JSON Web Tokens (RFC 7519) signed with HS256, so an intranet portal
 * mints them with any JWT library (docs/protocol.md, "Viewer tokens"). Only the compact form with
 * header {@code {"alg":"HS256"}} is accepted; {@code exp} is required, {@code aud} must name the
 * stream policy, {@code nbf} and {@code iat} are honoured, and a token may not live longer than
 * its policy allows. Parsing is strict: three base64url parts without padding, each JSON part one
 * object without duplicate members. Messages never contain the token or a secret.
 */
public final class ViewerTokens {

    /** Allowed difference between the portal's clock and the appliance's. */
    public static final long CLOCK_SKEW_SECONDS = 60;
    /** Longer input is refused before any decoding (hello caps tokens at 2048 characters anyway). */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** Longest {@code jti} or {@code sub} accepted. */
    static final int MAX_CLAIM_CHARS = 256;
    /** NumericDate values beyond the year 9999 are nonsense and would overflow the arithmetic. */
    private static final long MAX_NUMERIC_DATE = 253402300799L;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
            .getBytes(StandardCharsets.UTF_8));

    private ViewerTokens() {
    }

    /** Why a token was refused. {@link #EXPIRED} and {@link #LIFETIME_TOO_LONG} have error codes of their own. */
    public enum Failure {
        /** Not three base64url parts of JSON objects, or a claim of the wrong type. */
        MALFORMED,
        /** The header's {@code alg} is not {@code HS256} (for example {@code none} or {@code RS256}). */
        BAD_ALGORITHM,
        /** The signature does not verify with the stream's secret. */
        BAD_SIGNATURE,
        /** A required claim ({@code exp}, {@code aud}) is missing. */
        MISSING_CLAIM,
        /** {@code aud} does not name this stream policy. */
        WRONG_AUDIENCE,
        /** {@code nbf} (or {@code iat}) is in the future. */
        NOT_YET_VALID,
        /** {@code exp} is past. */
        EXPIRED,
        /** {@code exp - iat} (or {@code exp - now}) exceeds the policy's maximum lifetime. */
        LIFETIME_TOO_LONG
    }

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

    /**
     * A token that verified.
     *
     * @param subject      {@code sub}, or null
     * @param key          what identifies the token for per-token viewer limits: {@code jti:} and the
     *                     token id when it has one, else {@code sha256:} and a hash of the whole token
     * @param expires      {@code exp}
     * @param secretPrint  {@link #fingerprint} of the secret that verified it, so a later secret
     *                     rotation can tell which viewers still hold a valid token
     */
    public record Verified(String subject, String key, Instant expires, String secretPrint) {
    }

    /** A new random secret: 32 bytes, base64url. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return B64.encodeToString(key);
    }

    /** A short, non-reversible name for a secret, safe to keep beside a viewer and to compare. */
    public static String fingerprint(String secret) {
        return B64.encodeToString(sha256(secret.getBytes(StandardCharsets.US_ASCII))).substring(0, 22);
    }

    /** A random token id for {@code jti}. */
    public static String newTokenId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return B64.encodeToString(id);
    }

    /**
     * Mints an HS256 JWT with {@code aud} = {@code audience}, {@code iat}, {@code exp} and the
     * optional {@code sub} and {@code jti} (null leaves them out).
     */
    public static String mint(String secret, String audience, Instant issuedAt, Instant expires, String subject,
                              String tokenId) {
        ObjectNode claims = MAPPER.createObjectNode().put("aud", audience).put("iat", issuedAt.getEpochSecond())
                .put("exp", expires.getEpochSecond());
        if (subject != null) {
            claims.put("sub", subject);
        }
        if (tokenId != null) {
            claims.put("jti", tokenId);
        }
        String signingInput = HEADER + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + B64.encodeToString(hmac(secret, signingInput));
    }

    /**
     * Verifies {@code token} for the policy {@code audience} at {@code now}.
     *
     * @param secrets     the secrets that may have signed it, the current one first (a previous one
     *                    during a rotation's grace)
     * @param maxLifetime the longest {@code exp - iat} (or {@code exp - now} without {@code iat})
     */
    public static Verified verify(List<String> secrets, String audience, String token, Instant now,
                                  Duration maxLifetime) throws TokenException {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw new TokenException(Failure.MALFORMED, "token is empty or longer than " + MAX_TOKEN_CHARS
                    + " characters");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenException(Failure.MALFORMED, "token is not a JWT of three parts header.payload.signature");
        }
        JsonNode header = object(decode(parts[0], "header"), "header");
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !"HS256".equals(alg.asText())) {
            throw new TokenException(Failure.BAD_ALGORITHM, "token algorithm must be HS256 but is "
                    + (alg == null ? "missing" : shorten(alg.toString())));
        }
        JsonNode typ = header.get("typ");
        if (typ != null && !(typ.isTextual() && "JWT".equalsIgnoreCase(typ.asText()))) {
            throw new TokenException(Failure.MALFORMED, "token header 'typ' must be JWT when present");
        }
        if (header.has("crit")) {
            throw new TokenException(Failure.MALFORMED, "token header has critical extensions ('crit'), none are supported");
        }
        byte[] payload = decode(parts[1], "payload");
        byte[] signature = decode(parts[2], "signature");
        String signingInput = parts[0] + "." + parts[1];
        String matched = null;
        for (String secret : secrets) {
            // Constant-time comparison: the check must not leak how many bytes matched.
            if (MessageDigest.isEqual(hmac(secret, signingInput), signature)) {
                matched = secret;
                break;
            }
        }
        if (matched == null) {
            throw new TokenException(Failure.BAD_SIGNATURE, "token signature does not verify");
        }
        JsonNode claims = object(payload, "payload");
        checkAudience(claims.get("aud"), audience);
        long nowS = now.getEpochSecond();
        Long exp = numericDate(claims, "exp");
        if (exp == null) {
            throw new TokenException(Failure.MISSING_CLAIM, "token has no 'exp' claim");
        }
        Long nbf = numericDate(claims, "nbf");
        Long iat = numericDate(claims, "iat");
        if (nbf != null && nbf > nowS + CLOCK_SKEW_SECONDS) {
            throw new TokenException(Failure.NOT_YET_VALID, "token is not valid before " + Instant.ofEpochSecond(nbf));
        }
        if (iat != null && iat > nowS + CLOCK_SKEW_SECONDS) {
            throw new TokenException(Failure.NOT_YET_VALID, "token was issued in the future ("
                    + Instant.ofEpochSecond(iat) + ")");
        }
        if (exp + CLOCK_SKEW_SECONDS <= nowS) {
            throw new TokenException(Failure.EXPIRED, "token expired at " + Instant.ofEpochSecond(exp));
        }
        long lifetime = exp - (iat != null ? iat : nowS);
        if (lifetime > maxLifetime.toSeconds()) {
            throw new TokenException(Failure.LIFETIME_TOO_LONG, "token lives " + Duration.ofSeconds(lifetime)
                    + (iat != null ? " (exp - iat)" : " (exp - now)") + ", longer than this stream allows ("
                    + maxLifetime + ")");
        }
        String subject = optionalString(claims, "sub");
        String jti = optionalString(claims, "jti");
        String key = jti != null ? "jti:" + jti
                : "sha256:" + B64.encodeToString(sha256(token.getBytes(StandardCharsets.US_ASCII)));
        return new Verified(subject, key, Instant.ofEpochSecond(exp), fingerprint(matched));
    }

    private static void checkAudience(JsonNode aud, String audience) throws TokenException {
        if (aud == null) {
            throw new TokenException(Failure.MISSING_CLAIM, "token has no 'aud' claim (the stream policy id)");
        }
        if (aud.isTextual()) {
            if (!aud.asText().equals(audience)) {
                throw new TokenException(Failure.WRONG_AUDIENCE, "token is for another stream ('aud' is not "
                        + audience + ")");
            }
            return;
        }
        if (!aud.isArray()) {
            throw new TokenException(Failure.MALFORMED, "token claim 'aud' must be a string or an array of strings");
        }
        boolean found = false;
        for (JsonNode a : aud) {
            if (!a.isTextual()) {
                throw new TokenException(Failure.MALFORMED, "token claim 'aud' must be a string or an array of strings");
            }
            found |= a.asText().equals(audience);
        }
        if (!found) {
            throw new TokenException(Failure.WRONG_AUDIENCE, "token is for another stream ('aud' does not contain "
                    + audience + ")");
        }
    }

    private static Long numericDate(JsonNode claims, String name) throws TokenException {
        JsonNode v = claims.get(name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0 || v.asDouble() > MAX_NUMERIC_DATE) {
            throw new TokenException(Failure.MALFORMED, "token claim '" + name + "' must be seconds since 1970");
        }
        return v.isIntegralNumber() ? v.asLong() : (long) Math.floor(v.asDouble());
    }

    private static String optionalString(JsonNode claims, String name) throws TokenException {
        JsonNode v = claims.get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual() || v.asText().length() > MAX_CLAIM_CHARS) {
            throw new TokenException(Failure.MALFORMED, "token claim '" + name + "' must be a string of at most "
                    + MAX_CLAIM_CHARS + " characters");
        }
        return v.asText();
    }

    private static JsonNode object(byte[] bytes, String what) throws TokenException {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new TokenException(Failure.MALFORMED, "token " + what + " is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new TokenException(Failure.MALFORMED, "token " + what + " is not a JSON object");
        }
        return node;
    }

    /** base64url without padding, in its canonical form only (no stray bits, no '='). */
    private static byte[] decode(String part, String what) throws TokenException {
        if (!PART.matcher(part).matches()) {
            throw new TokenException(Failure.MALFORMED, "token " + what
                    + " is not base64url without padding (empty, or has characters outside A-Z a-z 0-9 - _)");
        }
        try {
            byte[] bytes = B64D.decode(part);
            if (!B64.encodeToString(bytes).equals(part)) {
                throw new TokenException(Failure.MALFORMED, "token " + what + " is not canonical base64url");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw new TokenException(Failure.MALFORMED, "token " + what + " is not valid base64url");
        }
    }

    private static byte[] hmac(String secret, String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // The key is the secret's text as shown to the admin, not its base64url-decoded bytes:
            // JWT libraries take a string secret as its UTF-8 bytes, so a portal can paste it as is.
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Attacker-chosen text, printable and short, for messages. */
    private static String shorten(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 32 ? clean.substring(0, 32) + "..." : clean;
    }
}
