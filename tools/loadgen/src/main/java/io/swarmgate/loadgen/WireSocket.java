package io.swarmgate.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import javax.net.ssl.SSLContext;

/**
 * The client side of one WebSocket (RFC 6455) over a non-blocking socket, {@code ws://} or
 * {@code wss://}, bound to a chosen source address: just what a simulated viewer needs — the
 * upgrade, text messages both ways (fragments reassembled, at most
 * {@link FrameCodec#MAX_MESSAGE_BYTES}), ping/pong and the close handshake. All of its work runs
 * on its {@link NioLoop}'s thread; only {@link #sendText}, {@link #close} and {@link #isOpen} may
 * be called from elsewhere.
 *
 * <p>This class is the connection's state machine (connect, TLS handshake, upgrade, open,
 * closing, closed) and its plain-socket I/O; the bytes on the wire are {@link UpgradeHandshake}'s
 * and {@link FrameCodec}'s, TLS is {@link TlsTransport}'s.
 */
final class WireSocket {

    /** What happens to a socket, called on the loop thread. */
    interface Listener {
        /** The upgrade succeeded. */
        void onOpen(WireSocket socket);

        void onText(String text);

        /** The socket is gone, after a close handshake (its code) or not ({@code 1006}); called once. */
        void onClose(int code, String reason);

        /** The connect, TLS handshake or upgrade failed; no {@link #onClose} follows. */
        void onConnectFailure(Throwable cause);
    }

    private enum State { CONNECTING, TLS_HANDSHAKE, UPGRADING, OPEN, CLOSING, CLOSED }

    private final NioLoop loop;
    private final URI uri;
    private final InetAddress source;
    private final String origin;
    /** Null for {@code ws://}. */
    private final TlsTransport tls;
    private final Listener listener;
    private final FrameCodec frames = new FrameCodec();

    private SocketChannel channel;
    private SelectionKey key;
    private volatile State state = State.CONNECTING;
    /** Frames (plaintext) waiting for the socket. */
    private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>();
    /** Received bytes not parsed yet (an incomplete frame or response). */
    private ByteBuffer leftover;
    private UpgradeHandshake upgrade;
    private boolean closeSent;

    private WireSocket(NioLoop loop, URI uri, InetAddress source, String origin, TlsTransport tls, Listener listener) {
        this.loop = loop;
        this.uri = uri;
        this.source = source;
        this.origin = origin;
        this.tls = tls;
        this.listener = listener;
    }

    /**
     * Starts connecting {@code uri} from {@code source} (any local address when {@code null});
     * {@code tlsContext} is required for {@code wss://}. The listener hears the outcome.
     */
    static WireSocket connect(NioLoop loop, URI uri, InetAddress source, String origin, SSLContext tlsContext,
                              Listener listener) {
        TlsTransport tls = "wss".equals(uri.getScheme()) ? TlsTransport.client(tlsContext, uri, loop) : null;
        WireSocket socket = new WireSocket(loop, uri, source, origin, tls, listener);
        loop.execute(socket::open);
        return socket;
    }

    static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "wss".equals(uri.getScheme()) ? 443 : 80;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /**
     * Sends one text message. {@code onSent} runs once it is queued on an open socket, {@code
     * onFailure} when the socket is not open (any thread may call; both run on the loop thread).
     */
    void sendText(String text, Runnable onSent, Runnable onFailure) {
        ByteBuffer frame = FrameCodec.text(text);
        loop.execute(() -> {
            if (state != State.OPEN) {
                onFailure.run();
                return;
            }
            outgoing.add(frame);
            onSent.run();
            flushOrFail();
        });
    }

    /** Starts the close handshake; the socket goes when the appliance answers it. */
    void close(int code, String reason) {
        loop.execute(() -> {
            if (state == State.OPEN) {
                sendClose(code, reason);
                state = State.CLOSING;
                flushOrFail();
            } else if (state != State.CLOSING && state != State.CLOSED) {
                abort(reason);
            }
        });
    }

    /** Aborts a socket that did not open in time. */
    void failIfNotOpenYet(String why) {
        loop.execute(() -> {
            if (state == State.CONNECTING || state == State.TLS_HANDSHAKE || state == State.UPGRADING) {
                fail(new IOException(why));
            }
        });
    }

    // ---- loop thread from here on ----

    private void open() {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (source != null) {
                // Port 0: the kernel picks an ephemeral port per source address.
                channel.bind(new InetSocketAddress(source, 0));
            }
            boolean connected = channel.connect(new InetSocketAddress(uri.getHost(), port(uri)));
            key = loop.register(channel, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (connected) {
                connected();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** The selector says the socket is ready. */
    void ready(SelectionKey selected) {
        try {
            if (selected.isValid() && selected.isConnectable()) {
                if (!channel.finishConnect()) {
                    return;
                }
                connected();
            }
            if (selected.isValid() && selected.isWritable()) {
                if (state == State.TLS_HANDSHAKE) {
                    handshake();
                } else {
                    flush();
                }
            }
            if (selected.isValid() && selected.isReadable()) {
                read();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void connected() throws IOException {
        key.interestOps(SelectionKey.OP_READ);
        if (tls == null) {
            sendUpgrade();
        } else {
            state = State.TLS_HANDSHAKE;
            tls.begin(channel, key);
            handshake();
        }
    }

    private void handshake() throws IOException {
        if (tls.handshake()) {
            sendUpgrade();
        }
    }

    private void sendUpgrade() throws IOException {
        state = State.UPGRADING;
        upgrade = new UpgradeHandshake(uri, origin);
        outgoing.add(upgrade.request());
        flush();
    }

    // ---- reading ----

    private void read() throws IOException {
        if (state == State.TLS_HANDSHAKE) {
            handshake();
            return;
        }
        boolean again;
        do {
            ByteBuffer in = loop.readBuffer();
            in.clear();
            if (leftover != null) {
                in.put(leftover);
                leftover = null;
            }
            int n;
            if (tls == null) {
                n = channel.read(in);
                again = false; // the selector reports the socket again while it holds bytes
            } else {
                n = tls.read();
                again = tls.unwrapInto(in);
            }
            in.flip();
            process(in);
            if (state == State.CLOSED) {
                return;
            }
            if (in.hasRemaining()) {
                // At most one incomplete frame (its length was checked) or upgrade response, so
                // the next read still has room for a whole TLS record after it.
                leftover = ByteBuffer.allocate(in.remaining()).put(in).flip();
            }
            if (n < 0) {
                finish(1006, "the appliance closed the connection without a close frame");
                return;
            }
        } while (again);
    }

    private void process(ByteBuffer in) throws IOException {
        if (state == State.UPGRADING) {
            if (!upgrade.accepted(in)) {
                return;
            }
            state = State.OPEN;
            listener.onOpen(this);
        }
        FrameCodec.Frame frame;
        while ((state == State.OPEN || state == State.CLOSING) && (frame = frames.next(in)) != null) {
            if (frame instanceof FrameCodec.Text text) {
                listener.onText(text.text());
            } else if (frame instanceof FrameCodec.Ping ping) {
                outgoing.add(FrameCodec.pong(ping.payload()));
                flush();
            } else if (frame instanceof FrameCodec.Close close) {
                if (!closeSent) {
                    sendClose(close.code() == 1005 ? 1000 : close.code(), "");
                    flushQuietly();
                }
                finish(close.code(), close.reason());
            } else if (frame instanceof FrameCodec.Violation violation) {
                failOpen(violation.code(), violation.why());
            }
        }
    }

    // ---- writing ----

    private void sendClose(int code, String reason) {
        outgoing.add(FrameCodec.close(code, reason));
        closeSent = true;
    }

    private void flush() throws IOException {
        if (channel == null || !channel.isConnected() || state == State.CLOSED) {
            return;
        }
        if (tls == null) {
            while (!outgoing.isEmpty()) {
                ByteBuffer next = outgoing.peek();
                channel.write(next);
                if (next.hasRemaining()) {
                    break;
                }
                outgoing.poll();
            }
            key.interestOps(outgoing.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            return;
        }
        tls.write(outgoing);
    }

    private void flushOrFail() {
        try {
            flush();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (IOException | RuntimeException ignored) {
            // the socket is going anyway
        }
    }

    // ---- endings ----

    /** A protocol violation by the appliance on an open socket: close with {@code code}, then go. */
    private void failOpen(int code, String why) {
        if (!closeSent) {
            sendClose(code, why);
            flushQuietly();
        }
        finish(code, why);
    }

    private void fail(Throwable cause) {
        State was = state;
        if (was == State.CLOSED) {
            return;
        }
        closeChannel();
        if (was == State.OPEN || was == State.CLOSING) {
            listener.onClose(1006, String.valueOf(cause.getMessage()));
        } else {
            listener.onConnectFailure(cause);
        }
    }

    /** Closes at once, no handshake (the loop is stopping, or the socket never opened). */
    void abort(String why) {
        fail(new IOException(why));
    }

    private void finish(int code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        closeChannel();
        listener.onClose(code, reason);
    }

    private void closeChannel() {
        state = State.CLOSED;
        outgoing.clear();
        leftover = null;
        if (tls != null) {
            tls.release();
        }
        if (key != null) {
            key.cancel();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to do with it
            }
        }
    }
}
