package io.swarmgate.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The client side of one WebSocket (RFC 6455) over a non-blocking socket, {@code ws://} or
 * {@code wss://}, bound to a chosen source address: just what a simulated viewer needs — the
 * upgrade, text messages both ways (fragments reassembled, at most {@link #MAX_MESSAGE_BYTES}),
 * ping/pong and the close handshake. All of its work runs on its {@link NioLoop}'s thread; only
 * {@link #sendText}, {@link #close} and {@link #isOpen} may be called from elsewhere.
 *
 * <p>Masking keys and the upgrade nonce come from {@link ThreadLocalRandom}. Masking exists so
 * that scripts in a browser cannot choose the bytes an intermediary sees; a load generator's
 * frames need no unpredictable keys, and a {@code SecureRandom} per socket is what made the
 * previous client slow.
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

    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    static final int MAX_UPGRADE_RESPONSE_BYTES = 16 * 1024;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private enum State { CONNECTING, TLS_HANDSHAKE, UPGRADING, OPEN, CLOSING, CLOSED }

    private final NioLoop loop;
    private final URI uri;
    private final InetAddress source;
    private final String origin;
    private final SSLEngine tls;
    private final Listener listener;

    private SocketChannel channel;
    private SelectionKey key;
    private volatile State state = State.CONNECTING;
    /** Frames (plaintext) waiting for the socket. */
    private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>();
    /** Received bytes not parsed yet (an incomplete frame or response). */
    private ByteBuffer leftover;
    /** TLS records in and out; allocated only while they hold bytes. */
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private String expectedAccept;
    private ByteArrayOutputStream fragments;
    private boolean closeSent;

    private WireSocket(NioLoop loop, URI uri, InetAddress source, String origin, SSLEngine tls, Listener listener) {
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
        SSLEngine engine = null;
        if ("wss".equals(uri.getScheme())) {
            engine = tlsContext.createSSLEngine(uri.getHost(), port(uri));
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            engine.setSSLParameters(parameters);
        }
        WireSocket socket = new WireSocket(loop, uri, source, origin, engine, listener);
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
        ByteBuffer frame = frame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
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
            tls.beginHandshake();
            handshake();
        }
    }

    private void sendUpgrade() throws IOException {
        state = State.UPGRADING;
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String webSocketKey = Base64.getEncoder().encodeToString(nonce);
        expectedAccept = accept(webSocketKey);
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + webSocketKey + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "\r\n";
        outgoing.add(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        flush();
    }

    static String accept(String webSocketKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((webSocketKey + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    // ---- TLS ----

    private void handshake() throws IOException {
        while (true) {
            switch (tls.getHandshakeStatus()) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> {
                    wrap(EMPTY);
                    if (!writeNet()) {
                        return; // OP_WRITE is set; continue when the socket takes more
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapHandshake()) {
                        return; // wait for more records
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    sendUpgrade();
                    return;
                }
            }
        }
    }

    /** One handshake unwrap; false when it needs bytes that have not arrived. */
    private boolean unwrapHandshake() throws IOException {
        ByteBuffer scratch = loop.readBuffer();
        scratch.clear();
        while (true) {
            if (netIn != null && netIn.position() > 0) {
                netIn.flip();
                SSLEngineResult result = tls.unwrap(netIn, scratch);
                netIn.compact();
                releaseEmptyNetBuffers();
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SSLException("the appliance closed TLS during the handshake");
                }
                if (result.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    return true;
                }
            }
            if (readNet() <= 0) {
                return false;
            }
        }
    }

    /** Reads socket bytes into {@link #netIn}; -1 at end of stream, throws there during the handshake. */
    private int readNet() throws IOException {
        if (netIn == null) {
            netIn = ByteBuffer.allocate(tls.getSession().getPacketBufferSize());
        }
        int n = channel.read(netIn);
        if (n < 0 && state == State.TLS_HANDSHAKE) {
            throw new IOException("the appliance closed the connection during the TLS handshake");
        }
        return n;
    }

    private void wrap(ByteBuffer plaintext) throws SSLException {
        if (netOut == null) {
            netOut = ByteBuffer.allocate(tls.getSession().getPacketBufferSize());
        }
        SSLEngineResult result = tls.wrap(plaintext, netOut);
        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("TLS is closed");
        }
        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runDelegatedTasks();
        }
    }

    /** Writes what {@link #netOut} holds; true when all of it went out. */
    private boolean writeNet() throws IOException {
        if (netOut == null) {
            return true;
        }
        netOut.flip();
        channel.write(netOut);
        netOut.compact();
        boolean done = netOut.position() == 0;
        key.interestOps(done ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        releaseEmptyNetBuffers();
        return done;
    }

    private void runDelegatedTasks() {
        for (Runnable task; (task = tls.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    private void releaseEmptyNetBuffers() {
        if (netIn != null && netIn.position() == 0) {
            netIn = null;
        }
        if (netOut != null && netOut.position() == 0) {
            netOut = null;
        }
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
                n = readNet();
                again = unwrapInto(in);
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

    /** Unwraps the records in {@link #netIn} into {@code in}; true when some were left for lack of room. */
    private boolean unwrapInto(ByteBuffer in) throws IOException {
        if (netIn == null) {
            return false;
        }
        netIn.flip();
        boolean more = false;
        try {
            while (netIn.hasRemaining()) {
                if (in.remaining() < tls.getSession().getApplicationBufferSize()) {
                    more = true; // parse first, then come back for the rest
                    break;
                }
                SSLEngineResult result = tls.unwrap(netIn, in);
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runDelegatedTasks();
                }
                if (tls.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    wrap(EMPTY); // e.g. a key update answer
                    writeNet();
                }
                if (result.getStatus() != SSLEngineResult.Status.OK) {
                    break; // underflow: the rest of the record has not arrived; closed: EOF follows
                }
            }
        } finally {
            netIn.compact();
            releaseEmptyNetBuffers();
        }
        return more;
    }

    private void process(ByteBuffer in) throws IOException {
        if (state == State.UPGRADING && !upgradeResponse(in)) {
            return;
        }
        while ((state == State.OPEN || state == State.CLOSING) && parseFrame(in)) {
            // one frame per turn
        }
    }

    /** Parses the upgrade response once complete; false while it is not. */
    private boolean upgradeResponse(ByteBuffer in) throws IOException {
        int end = indexOfBlankLine(in);
        if (end < 0) {
            if (in.remaining() > MAX_UPGRADE_RESPONSE_BYTES) {
                throw new IOException("the upgrade response has no end within " + MAX_UPGRADE_RESPONSE_BYTES + " bytes");
            }
            return false;
        }
        byte[] head = new byte[end - in.position()];
        in.get(head);
        in.position(end + 4);
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        if (!lines[0].matches("HTTP/1\\.1 101( .*)?")) {
            throw new IOException("the appliance refused the WebSocket upgrade: " + lines[0]);
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                accept = lines[i].substring(colon + 1).trim();
            }
        }
        if (!expectedAccept.equals(accept)) {
            throw new IOException("the upgrade response has a wrong Sec-WebSocket-Accept: " + accept);
        }
        state = State.OPEN;
        listener.onOpen(this);
        return true;
    }

    private static int indexOfBlankLine(ByteBuffer in) {
        for (int i = in.position(); i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Handles one complete frame; false when {@code in} does not hold one yet. */
    private boolean parseFrame(ByteBuffer in) throws IOException {
        int start = in.position();
        if (in.remaining() < 2) {
            return false;
        }
        int b0 = in.get(start) & 0xff;
        int b1 = in.get(start + 1) & 0xff;
        if ((b1 & 0x80) != 0) {
            failOpen(1002, "the appliance sent a masked frame");
            return false;
        }
        if ((b0 & 0x70) != 0) {
            failOpen(1002, "reserved bits set without an extension");
            return false;
        }
        long length = b1 & 0x7f;
        int header = 2;
        if (length == 126) {
            if (in.remaining() < 4) {
                return false;
            }
            length = in.getShort(start + 2) & 0xffff;
            header = 4;
        } else if (length == 127) {
            if (in.remaining() < 10) {
                return false;
            }
            length = in.getLong(start + 2);
            header = 10;
        }
        if (length < 0 || length > MAX_MESSAGE_BYTES) {
            failOpen(1009, "a frame of " + length + " bytes (limit " + MAX_MESSAGE_BYTES + ")");
            return false;
        }
        if (in.remaining() < header + length) {
            return false;
        }
        byte[] payload = new byte[(int) length];
        in.position(start + header);
        in.get(payload);
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0f;
        switch (opcode) {
            case OP_TEXT -> {
                if (fragments != null) {
                    failOpen(1002, "a new message inside a fragmented one");
                } else if (fin) {
                    listener.onText(new String(payload, StandardCharsets.UTF_8));
                } else {
                    fragments = new ByteArrayOutputStream();
                    fragments.write(payload);
                }
            }
            case OP_CONTINUATION -> {
                if (fragments == null) {
                    failOpen(1002, "a continuation without a message");
                } else if (fragments.size() + payload.length > MAX_MESSAGE_BYTES) {
                    failOpen(1009, "a message larger than " + MAX_MESSAGE_BYTES + " bytes");
                } else {
                    fragments.write(payload);
                    if (fin) {
                        String text = fragments.toString(StandardCharsets.UTF_8);
                        fragments = null;
                        listener.onText(text);
                    }
                }
            }
            case OP_PING -> {
                outgoing.add(frame(OP_PONG, payload));
                flush();
            }
            case OP_PONG -> {
                // unsolicited pongs are allowed and mean nothing
            }
            case OP_CLOSE -> {
                int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
                String reason = payload.length > 2
                        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                if (!closeSent) {
                    sendClose(code == 1005 ? 1000 : code, "");
                    flushQuietly();
                }
                finish(code, reason);
                return false;
            }
            default -> failOpen(1003, "unsupported opcode " + opcode);
        }
        return true;
    }

    // ---- writing ----

    private static ByteBuffer frame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
        frame.put((byte) (0x80 | opcode));
        if (length < 126) {
            frame.put((byte) (0x80 | length));
        } else if (length <= 0xffff) {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return frame.flip();
    }

    private void sendClose(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        outgoing.add(frame(OP_CLOSE, payload));
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
        while (writeNet() && !outgoing.isEmpty()) {
            ByteBuffer next = outgoing.peek();
            wrap(next);
            if (!next.hasRemaining()) {
                outgoing.poll();
            }
        }
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
        netIn = null;
        netOut = null;
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
