package io.swarmgate.stun;

import io.swarmgate.config.ApplianceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's STUN responder: answers Binding requests on UDP ({@link StunCodec}) from its own
 * thread, so a browser given {@code stun:<appliance>:<port>} learns the address the appliance
 * sees it at. Inside a LAN without NAT that is the desktop's real address, and the browser
 * announces it as a server-reflexive candidate even when it hides its host candidates behind
 * mDNS names — which lets such viewers on different routed subnets of a site connect. It answers
 * nothing but the requester's own address, at most {@link #PER_SECOND} times a second per source
 * address. Bound to every interface (IPv6 and IPv4 on one dual-stack socket) unless an address is
 * configured.
 */
public final class StunResponder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StunResponder.class);
    /** Answers per second per source address, and the burst allowed above it. */
    static final int PER_SECOND = 20;
    static final int BURST = 40;
    /** Source addresses tracked at once by the rate limit. */
    static final int MAX_SOURCES = 65_536;

    private final DatagramChannel channel;
    private final Thread thread;
    private final Clock clock;
    private final SourceLimiter limiter = new SourceLimiter(PER_SECOND, BURST, MAX_SOURCES);
    private volatile long answered;
    private volatile long dropped;

    private StunResponder(DatagramChannel channel, Clock clock) {
        this.channel = channel;
        this.clock = clock;
        this.thread = new Thread(this::serve, "stun-responder");
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code port} on {@code bind} (an IP literal; empty: every interface) and starts
     * answering. Throws {@link IOException} when the port cannot be bound.
     */
    public static StunResponder start(String bind, int port, Clock clock) throws IOException {
        InetAddress address = bind.isEmpty() ? null : InetAddress.getByName(bind);
        DatagramChannel channel;
        if (address == null) {
            try {
                channel = open(StandardProtocolFamily.INET6, null, port);
            } catch (IOException | UnsupportedOperationException e) {
                // A machine without IPv6: every IPv4 interface.
                channel = open(StandardProtocolFamily.INET, null, port);
            }
        } else {
            channel = open(address.getAddress().length == 16 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET,
                    address, port);
        }
        StunResponder responder = new StunResponder(channel, clock);
        responder.thread.start();
        return responder;
    }

    private static DatagramChannel open(StandardProtocolFamily family, InetAddress address, int port)
            throws IOException {
        DatagramChannel channel = DatagramChannel.open(family);
        try {
            channel.bind(new InetSocketAddress(address, port));
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The responder the configuration asks for, or null when it is disabled or its port cannot be
     * bound (the appliance then runs without one and offers viewers no ICE server; the reason is
     * logged). {@code serverBind} is {@code server.bind}, used when {@code stun.bind} is empty.
     */
    public static StunResponder fromConfig(ApplianceConfig.Stun config, String serverBind, Clock clock) {
        if (!config.enabled()) {
            return null;
        }
        String bind = config.bind().isEmpty() ? serverBind : config.bind();
        try {
            StunResponder responder = start(bind, config.port(), clock);
            LOG.info("stun - answering Binding requests on udp {}", responder.localAddress());
            return responder;
        } catch (IOException | RuntimeException e) {
            LOG.warn("stun - cannot listen on udp {}:{} ({}): running without a STUN responder; set stun.port to a"
                    + " free port or stun.enabled = false", bind.isEmpty() ? "*" : bind, config.port(), e.getMessage());
            return null;
        }
    }

    /** The bound address; its port is the one to hand out (differs from the configured 0). */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("stun responder is closed", e);
        }
    }

    public int port() {
        return localAddress().getPort();
    }

    /** Requests answered since the start. */
    public long answered() {
        return answered;
    }

    /** Datagrams not answered (malformed, not a Binding request, or over the rate limit). */
    public long dropped() {
        return dropped;
    }

    private void serve() {
        ByteBuffer in = ByteBuffer.allocate(StunCodec.MAX_REQUEST_LENGTH + 1);
        while (channel.isOpen()) {
            try {
                in.clear();
                SocketAddress from = channel.receive(in);
                if (!(from instanceof InetSocketAddress source)) {
                    continue;
                }
                byte[] response = StunCodec.answer(in.array(), in.position(), source);
                if (response == null || !limiter.allow(source.getAddress(), clock.millis())) {
                    dropped++;
                    continue;
                }
                channel.send(ByteBuffer.wrap(response), source);
                answered++;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // One bad send (unreachable source, say) must not stop the responder.
                LOG.debug("stun - {}", e.toString());
            }
        }
    }

    /**
     * The STUN URL a viewer that reached the appliance as {@code host} (a request's {@code Host}:
     * name or IP literal, optional port) should use, or null when {@code host} is missing or not a
     * plain host name or IP literal ({@link StunHost}).
     */
    public String urlFor(String host) {
        String name = StunHost.hostOf(host);
        return name == null ? null : "stun:" + name + ":" + port();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("stun - close: {}", e.toString());
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
