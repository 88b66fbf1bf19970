package io.swarmgate.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.util.Map;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.io.ClientConnector;

/**
 * A {@link ClientConnector} that binds each new socket to the source address its request was
 * tagged with, so one {@code HttpClient} (one thread pool, one set of selectors) serves viewers
 * on hundreds of loopback addresses. {@link ClientConnector#setBindAddress} is one address for
 * the whole client, which is why this exists.
 *
 * <p>How the address travels: the upgrade request is tagged with an {@link InetAddress}; Jetty
 * keys destinations by (scheme, host, port, tag), so each source address has its own destination,
 * whose origin is in the context map handed to {@link #connect}. {@code connect} creates the
 * channel and calls {@link #configure} synchronously on the same thread, so a thread-local
 * carries the address from one to the other. Untagged requests (the heap probe) bind nothing.
 */
final class SourceBoundConnector extends ClientConnector {

    private static final ThreadLocal<InetAddress> SOURCE = new ThreadLocal<>();

    @Override
    public void connect(SocketAddress address, Map<String, Object> context) {
        InetAddress source = sourceOf(context);
        if (source == null) {
            super.connect(address, context);
            return;
        }
        SOURCE.set(source);
        try {
            super.connect(address, context);
        } finally {
            SOURCE.remove();
        }
    }

    @Override
    protected void configure(SelectableChannel channel) throws IOException {
        super.configure(channel);
        InetAddress source = SOURCE.get();
        if (source != null && channel instanceof NetworkChannel network) {
            // Port 0: the kernel picks an ephemeral port per source address, so the ports of
            // different addresses do not compete with each other.
            network.bind(new InetSocketAddress(source, 0));
        }
    }

    static InetAddress sourceOf(Map<String, Object> context) {
        if (context != null && context.get(Destination.CONTEXT_KEY) instanceof Destination destination
                && destination.getOrigin().getTag() instanceof InetAddress source) {
            return source;
        }
        return null;
    }
}
