package io.swarmgate.signaling;

/** WebSocket close codes of signaling protocol v1 (docs/protocol.md). */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int SHUTDOWN = 1001;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    /** The appliance is at a capacity limit (connections, queued joins); reconnect with backoff. */
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int TOO_MANY_ERRORS = 4000;
    /** Too many messages sent, or too slow to read what is sent ({@link ViewerSession#MAX_QUEUED}). */
    public static final int RATE_LIMIT = 4001;
    public static final int TOO_MANY_CONNECTIONS = 4002;
    public static final int HELLO_TIMEOUT = 4003;
    public static final int HEARTBEAT_TIMEOUT = 4004;
    public static final int UNSUPPORTED_VERSION = 4005;

    private CloseCodes() {
    }
}
