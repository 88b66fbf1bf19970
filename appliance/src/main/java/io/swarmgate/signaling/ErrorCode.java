package io.swarmgate.signaling;

/**
 * Signaling error codes (docs/protocol.md, "Error codes"). {@code abuse} marks client mistakes
 * that count towards closing the socket with {@link CloseCodes#TOO_MANY_ERRORS}.
 */
public enum ErrorCode {
    INVALID_JSON("invalid_json", true),
    UNKNOWN_TYPE("unknown_type", true),
    INVALID_FIELD("invalid_field", true),
    HELLO_REQUIRED("hello_required", true),
    ALREADY_JOINED("already_joined", true),
    UNSUPPORTED_VERSION("unsupported_version", false),
    ORIGIN_NOT_ALLOWED("origin_not_allowed", false),
    TOKEN_REQUIRED("token_required", false),
    TOKEN_INVALID("token_invalid", false),
    TOKEN_EXPIRED("token_expired", false),
    TOKEN_LIFETIME_TOO_LONG("token_lifetime_too_long", false),
    TOKEN_VIEWER_LIMIT("token_viewer_limit", false),
    NOT_TRUSTED_NETWORK("not_trusted_network", false),
    NOT_NEIGHBOUR("not_neighbour", true),
    CANDIDATE_REJECTED("candidate_rejected", false),
    RATE_LIMITED("rate_limited", false),
    RESUME_FAILED("resume_failed", false),
    OVERLOADED("overloaded", false);

    private final String wire;
    private final boolean abuse;

    ErrorCode(String wire, boolean abuse) {
        this.wire = wire;
        this.abuse = abuse;
    }

    public String wire() {
        return wire;
    }

    public boolean abuse() {
        return abuse;
    }
}
