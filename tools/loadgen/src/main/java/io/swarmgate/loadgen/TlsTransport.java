package io.swarmgate.loadgen;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS for one {@link WireSocket} ({@code wss://}) through an {@link SSLEngine}: the handshake,
 * plaintext wrapped into records on the way out, records unwrapped on the way in. Used only on
 * the socket's loop thread, like the socket itself. It sets the socket's interest in
 * {@code OP_WRITE} while records wait for the socket to take them.
 */
final class TlsTransport {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine tls;
    private final NioLoop loop;
    private SocketChannel channel;
    private SelectionKey key;
    /** TLS records in and out; allocated only while they hold bytes. */
    private ByteBuffer netIn;
    private ByteBuffer netOut;

    private TlsTransport(SSLEngine tls, NioLoop loop) {
        this.tls = tls;
        this.loop = loop;
    }

    /** A client transport for {@code uri}, whose host the appliance's certificate must name. */
    static TlsTransport client(SSLContext tlsContext, URI uri, NioLoop loop) {
        SSLEngine engine = tlsContext.createSSLEngine(uri.getHost(), WireSocket.port(uri));
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        engine.setSSLParameters(parameters);
        return new TlsTransport(engine, loop);
    }

    /** Starts the handshake on the connected {@code channel}; continue with {@link #handshake}. */
    void begin(SocketChannel channel, SelectionKey key) throws SSLException {
        this.channel = channel;
        this.key = key;
        tls.beginHandshake();
    }

    /** Advances the handshake as far as the socket allows; true once it is finished. */
    boolean handshake() throws IOException {
        while (true) {
            switch (tls.getHandshakeStatus()) {
                case NEED_TASK -> runDelegatedTasks();
                case NEED_WRAP -> {
                    wrap(EMPTY);
                    if (!writeNet()) {
                        return false; // OP_WRITE is set; continue when the socket takes more
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapHandshake()) {
                        return false; // wait for more records
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return true;
                }
            }
        }
    }

    /** One handshake unwrap; false when it needs bytes that have not arrived. */
    private boolean unwrapHandshake() throws IOException {
        // The loop's read buffer is shared by its sockets: free to use, as nothing else runs meanwhile.
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
            int n = read();
            if (n < 0) {
                throw new IOException("the appliance closed the connection during the TLS handshake");
            }
            if (n == 0) {
                return false;
            }
        }
    }

    /** Reads socket bytes into {@link #netIn}; -1 at end of stream. */
    int read() throws IOException {
        if (netIn == null) {
            netIn = ByteBuffer.allocate(tls.getSession().getPacketBufferSize());
        }
        return channel.read(netIn);
    }

    /** Unwraps the records in {@link #netIn} into {@code in}; true when some were left for lack of room. */
    boolean unwrapInto(ByteBuffer in) throws IOException {
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

    /**
     * Wraps and writes the plaintext buffers of {@code outgoing} while the socket takes the
     * records, removing each once wholly wrapped.
     */
    void write(Queue<ByteBuffer> outgoing) throws IOException {
        while (writeNet() && !outgoing.isEmpty()) {
            ByteBuffer next = outgoing.peek();
            wrap(next);
            if (!next.hasRemaining()) {
                outgoing.poll();
            }
        }
    }

    /** Drops the buffered records; the socket is closed. */
    void release() {
        netIn = null;
        netOut = null;
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
}
