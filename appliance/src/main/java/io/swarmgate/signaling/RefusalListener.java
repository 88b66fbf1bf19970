package io.swarmgate.signaling;

import java.net.InetAddress;

/** Told of every viewer refused admission or disconnected by a policy re-check. */
@FunctionalInterface
public interface RefusalListener {
    /**
     * Called on the refusing thread (I/O or mesh): must return at once.
     *
     * @param origin the page origin the viewer sent, or null
     * @param code   the error code the viewer was sent ({@code origin_not_allowed}, {@code token_invalid}, …)
     */
    void refused(InetAddress address, String origin, String code);
}
