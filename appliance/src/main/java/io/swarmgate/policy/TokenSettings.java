package io.swarmgate.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How a stream policy uses viewer tokens (docs/protocol.md, "Viewer tokens").
 *
 * @param secret             the HMAC secret (base64url text, used as the key as written), or
 *                           {@code null} when the stream does not require tokens
 * @param previousSecret     the secret before the last rotation, accepted until {@link #graceEnds}
 * @param rotatedAt          when {@code secret} replaced {@code previousSecret}
 * @param maxLifetime        the longest {@code exp - iat} a token may have
 * @param rotationGrace      how long tokens of the previous secret keep working after a rotation
 * @param maxViewersPerToken connected viewers one token may admit at a time; 0 for no limit
 */
public record TokenSettings(String secret, String previousSecret, Instant rotatedAt, Duration maxLifetime,
                            Duration rotationGrace, int maxViewersPerToken) {

    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
    public static final Duration MAX_LIFETIME_LIMIT = Duration.ofDays(366);
    public static final Duration DEFAULT_ROTATION_GRACE = Duration.ofSeconds(60);
    public static final Duration ROTATION_GRACE_LIMIT = Duration.ofHours(24);
    public static final int MAX_VIEWERS_PER_TOKEN_LIMIT = 1_000_000;

    /** No tokens required, default limits for when they are. */
    public static final TokenSettings NONE = new TokenSettings(null, null, null, DEFAULT_MAX_LIFETIME,
            DEFAULT_ROTATION_GRACE, 0);

    public TokenSettings {
        if (previousSecret == null) {
            rotatedAt = null;
        }
    }

    /** Throws {@link PolicyException} naming the first bad field. */
    void validate() {
        for (String s : new String[] {secret, previousSecret}) {
            if (s != null && !s.matches("[A-Za-z0-9_-]{43,128}")) {
                throw new PolicyException("token-secret", "must be base64url of at least 32 random bytes (use 'generate')");
            }
        }
        if (previousSecret != null && rotatedAt == null) {
            throw new PolicyException("token-secret", "a previous secret needs the time of the rotation");
        }
        if (maxLifetime == null || maxLifetime.compareTo(Duration.ofMinutes(1)) < 0
                || maxLifetime.compareTo(MAX_LIFETIME_LIMIT) > 0) {
            throw new PolicyException("token-max-lifetime", "must be between 1m and 366d but is " + maxLifetime);
        }
        if (rotationGrace == null || rotationGrace.isNegative() || rotationGrace.compareTo(ROTATION_GRACE_LIMIT) > 0) {
            throw new PolicyException("token-rotation-grace", "must be between 0s and 24h but is " + rotationGrace);
        }
        if (maxViewersPerToken < 0 || maxViewersPerToken > MAX_VIEWERS_PER_TOKEN_LIMIT) {
            throw new PolicyException("max-viewers-per-token", "must be between 0 (no limit) and "
                    + MAX_VIEWERS_PER_TOKEN_LIMIT + " but is " + maxViewersPerToken);
        }
    }

    public boolean required() {
        return secret != null;
    }

    /**
     * These settings with {@code next} as the secret. Replacing one secret by another starts a
     * rotation at {@code now}: the old secret stays accepted for {@link #rotationGrace}.
     */
    public TokenSettings withSecret(String next, Instant now) {
        if (next == null) {
            return new TokenSettings(null, null, null, maxLifetime, rotationGrace, maxViewersPerToken);
        }
        if (secret == null || secret.equals(next)) {
            return new TokenSettings(next, previousSecret, rotatedAt, maxLifetime, rotationGrace, maxViewersPerToken);
        }
        return new TokenSettings(next, secret, now, maxLifetime, rotationGrace, maxViewersPerToken);
    }

    public TokenSettings withLimits(Duration lifetime, Duration grace, int maxViewers) {
        return new TokenSettings(secret, previousSecret, rotatedAt, lifetime, grace, maxViewers);
    }

    /** When the previous secret stops being accepted; null when no rotation is pending or ever was. */
    public Instant graceEnds() {
        return previousSecret == null ? null : rotatedAt.plus(rotationGrace);
    }

    /** The secrets a token may be signed with at {@code now}: the current one, then the previous during the grace. */
    public List<String> acceptedSecrets(Instant now) {
        if (secret == null) {
            return List.of();
        }
        Instant end = graceEnds();
        return end != null && now.isBefore(end) ? List.of(secret, previousSecret) : List.of(secret);
    }

    /** Never print secrets. */
    @Override
    public String toString() {
        return "TokenSettings[required=" + required() + ", rotatedAt=" + rotatedAt + ", maxLifetime=" + maxLifetime
                + ", rotationGrace=" + rotationGrace + ", maxViewersPerToken=" + maxViewersPerToken + "]";
    }
}
