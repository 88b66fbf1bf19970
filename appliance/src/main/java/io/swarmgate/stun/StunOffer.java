package io.swarmgate.stun;

/**
 * The STUN responder offered to viewers, if any: set once its port is bound (the appliance starts
 * without it when the port is taken), read by every new signaling connection, closed with
 * signaling.
 */
public final class StunOffer implements AutoCloseable {

    private volatile StunResponder responder;

    /** Offers {@code r} (null: none) to viewers that connect from now on. */
    public void offer(StunResponder r) {
        responder = r;
    }

    /** The {@code stun:} URL for a viewer that reached the appliance as {@code host}; null when none is offered. */
    public String urlFor(String host) {
        StunResponder r = responder;
        return r == null ? null : r.urlFor(host);
    }

    /** The UDP port offered, or -1 when none is. */
    public int port() {
        StunResponder r = responder;
        return r == null ? -1 : r.port();
    }

    @Override
    public void close() {
        StunResponder r = responder;
        if (r != null) {
            r.close();
        }
    }
}
