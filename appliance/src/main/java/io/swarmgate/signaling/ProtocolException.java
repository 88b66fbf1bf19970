package io.swarmgate.signaling;

/** A client message that cannot be accepted; becomes an {@code error} message with {@link #code()}. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String ref;

    public ProtocolException(ErrorCode code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public ErrorCode code() {
        return code;
    }

    /** The type of the message this answers, or {@code null} when it could not be read. */
    public String ref() {
        return ref;
    }
}
