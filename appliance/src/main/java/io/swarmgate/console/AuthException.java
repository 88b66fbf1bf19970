package io.swarmgate.console;

/**
 * A refused login or account change. {@code code} is the API error code; the message is safe to
 * show (it never says whether a username exists).
 */
public final class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String field;

    public AuthException(String code, String field, String message) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public String code() {
        return code;
    }

    /** The request field the problem is about, or null. */
    public String field() {
        return field;
    }
}
