package io.swarmgate.console;

/**
 * A refused login or account change. {@code code} is the API error code; the message is safe to
 * show (it never says whether a username exists).
 */
public final class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String field;
    private final int retryAfterSeconds;

    public AuthException(String code, String field, String message) {
        this(code, field, message, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when positive */
    public AuthException(String code, String field, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String code() {
        return code;
    }

    /** Seconds the client should wait before trying again, or 0. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The request field the problem is about, or null. */
    public String field() {
        return field;
    }
}
