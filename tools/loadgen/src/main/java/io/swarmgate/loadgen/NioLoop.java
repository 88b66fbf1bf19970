package io.swarmgate.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One selector thread that owns many {@link WireSocket}s: every read, write, parse and listener
 * call of its sockets happens on it, so a socket needs no locks. Other threads hand work over
 * with {@link #execute}; a burst of hand-overs costs one selector wake-up.
 *
 * <p>Why not Jetty's client here: with it, each simulated viewer cost a destination, a connection
 * pool, idle timers on a shared scheduler and a {@code SecureRandom} (the WebSocket mask), whose
 * seeding serialised the connecting threads for about 200 ms each. The load generator then
 * measured its own queues instead of the appliance's join latency.
 */
final class NioLoop implements AutoCloseable {

    /**
     * Sockets keep only their unparsed leftovers; reads go through this one buffer. Large enough
     * for a whole maximal frame plus one TLS record's plaintext.
     */
    static final int READ_BUFFER_BYTES = FrameCodec.MAX_MESSAGE_BYTES + 14 + 32 * 1024;

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private volatile boolean running = true;

    NioLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code task} on the loop thread, after the tasks handed over before it. */
    void execute(Runnable task) {
        tasks.add(task);
        if (wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    SelectionKey register(SocketChannel channel, int ops, WireSocket socket) throws IOException {
        return channel.register(selector, ops, socket);
    }

    /** The shared read buffer; only for the loop thread, only within one read. */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    private void run() {
        try {
            while (running) {
                selector.select();
                wakeupPending.set(false);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    runQuietly(task);
                }
                Set<SelectionKey> ready = selector.selectedKeys();
                for (SelectionKey key : ready) {
                    if (key.attachment() instanceof WireSocket socket) {
                        socket.ready(key);
                    }
                }
                ready.clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                System.err.println("loadgen: selector failed: " + e);
            }
        } finally {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof WireSocket socket) {
                    socket.abort("load generator stopping");
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static void runQuietly(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            System.err.println("loadgen: " + e);
        }
    }

    /** Stops the thread; sockets still open are closed without a close handshake. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
