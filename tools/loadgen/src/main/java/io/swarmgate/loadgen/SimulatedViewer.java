package io.swarmgate.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated viewer: a WebSocket that joins, keeps its heartbeat, tracks its assigned
 * neighbours, answers nothing else, and measures what it receives. Callbacks come on its
 * {@link NioLoop}'s thread; the relay pacer reads {@link #pickNeighbour} from its own thread,
 * hence the volatile snapshot of the neighbour list.
 */
final class SimulatedViewer implements WireSocket.Listener {

    /** What every viewer of a run shares. */
    record Shared(ClientCodec codec, RunStats stats, RelayRegistry relays, ScheduledExecutorService timers) {
    }

    static final long DEFAULT_HEARTBEAT_MS = 15_000;

    private final Shared shared;
    private final String stream;
    /** This viewer's stream's join latencies (besides the run's). */
    private final LatencyHistogram streamJoin;
    private final String address;
    private final long intendedNanos;
    private final boolean firstOfSubnet;

    private volatile WireSocket socket;
    private volatile String peerId;
    private volatile List<String> neighbours = List.of();
    private volatile boolean leaving;
    private volatile boolean gotNeighbour;
    /** Set by the first connection-level failure, so one broken socket counts as one error. */
    private final AtomicBoolean broken = new AtomicBoolean();
    private ScheduledFuture<?> heartbeat;

    /**
     * @param address       the source address, also the address of the viewer's host candidates
     * @param intendedNanos when the pacer meant this viewer to start joining
     * @param firstOfSubnet the first viewer of its subnet on its stream: nobody to be matched with at join time
     */
    SimulatedViewer(Shared shared, String stream, LatencyHistogram streamJoin, String address, long intendedNanos,
                    boolean firstOfSubnet) {
        this.shared = shared;
        this.stream = stream;
        this.streamJoin = streamJoin;
        this.address = address;
        this.intendedNanos = intendedNanos;
        this.firstOfSubnet = firstOfSubnet;
    }

    @Override
    public void onOpen(WireSocket socket) {
        this.socket = socket;
        shared.stats.open.incrementAndGet();
        send(shared.codec.hello(stream));
    }

    @Override
    public void onText(String text) {
        long now = System.nanoTime();
        shared.stats.received.increment();
        Incoming message = shared.codec.decode(text);
        if (message instanceof Incoming.Welcome w) {
            welcomed(w, now);
        } else if (message instanceof Incoming.Neighbour n) {
            if (!gotNeighbour && !firstOfSubnet && peerId != null) {
                shared.stats.join.record(intendedNanos, now);
                streamJoin.record(intendedNanos, now);
            }
            gotNeighbour = true;
            updateNeighbours(n.peer(), true);
        } else if (message instanceof Incoming.NeighbourGone g) {
            updateNeighbours(g.peer(), false);
        } else if (message instanceof Incoming.Signal s) {
            relayed(s, now);
        } else if (message instanceof Incoming.Error e) {
            shared.stats.error(e.code());
        } else if (message instanceof Incoming.Malformed) {
            shared.stats.error("malformed_frame");
        }
    }

    String stream() {
        return stream;
    }

    private void welcomed(Incoming.Welcome w, long now) {
        if (peerId != null) {
            return; // a second welcome would be the appliance's mistake; keep the first peer id
        }
        peerId = w.peerId();
        shared.stats.welcomed.incrementAndGet();
        shared.stats.welcome.record(intendedNanos, now);
        if (firstOfSubnet) {
            shared.stats.join.record(intendedNanos, now);
        }
        long every = w.heartbeatMs() > 0 ? w.heartbeatMs() : DEFAULT_HEARTBEAT_MS;
        synchronized (this) {
            if (!leaving) {
                heartbeat = shared.timers.scheduleAtFixedRate(() -> send(shared.codec.ping(System.currentTimeMillis())),
                        every, every, TimeUnit.MILLISECONDS);
            }
        }
    }

    private synchronized void updateNeighbours(String peer, boolean add) {
        List<String> next = new ArrayList<>(neighbours);
        next.remove(peer);
        if (add) {
            next.add(peer);
        }
        neighbours = List.copyOf(next);
    }

    private void relayed(Incoming.Signal s, long now) {
        if (!"candidate".equals(s.kind())) {
            return; // nobody here sends offers or answers
        }
        long seq = ClientCodec.sequenceOf(s.candidate());
        RelayRegistry.Match match = shared.relays.delivered(seq, s.from(), peerId, now);
        if (match != RelayRegistry.Match.MATCHED) {
            shared.stats.error("relay_" + match.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** A neighbour to signal, rotating by {@code turn}; {@code null} when not joined or alone. */
    String pickNeighbour(long turn) {
        List<String> current = neighbours;
        WireSocket s = socket;
        if (peerId == null || leaving || current.isEmpty() || s == null || !s.isOpen()) {
            return null;
        }
        return current.get((int) (turn % current.size()));
    }

    /** Sends one candidate to {@code to}, registered for relay latency at its intended time. */
    void sendCandidate(String to, long intendedSendNanos) {
        long seq = shared.relays.register(peerId, to, intendedSendNanos);
        send(shared.codec.candidate(to, seq, address), () -> shared.relays.cancel(seq));
    }

    private void send(String text) {
        send(text, () -> { });
    }

    private void send(String text, Runnable onFailure) {
        WireSocket s = socket;
        if (s == null || !s.isOpen()) {
            onFailure.run();
            return;
        }
        s.sendText(text, shared.stats.sent::increment, () -> {
            onFailure.run();
            if (!leaving) {
                unexpected("send_failed");
            }
        });
    }

    /** Says {@code bye} and closes normally; the appliance releases the peer at once. */
    void leave() {
        synchronized (this) {
            leaving = true;
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
        }
        WireSocket s = socket;
        if (s == null || !s.isOpen()) {
            return;
        }
        s.sendText(shared.codec.bye(), shared.stats.sent::increment, () -> { });
        s.close(1000, "bye");
    }

    /** The connect or the upgrade failed: this viewer never joined. */
    void connectFailed(Throwable cause) {
        shared.stats.firstConnectFailure.compareAndSet(null, cause);
        unexpected("connect_failed");
    }

    @Override
    public void onClose(int code, String reason) {
        synchronized (this) {
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
        }
        if (socket != null) {
            shared.stats.open.decrementAndGet();
        }
        if (!leaving) {
            unexpected("closed_" + code);
        }
    }

    @Override
    public void onConnectFailure(Throwable cause) {
        connectFailed(cause);
    }

    private void unexpected(String kind) {
        if (broken.compareAndSet(false, true)) {
            if (peerId == null) {
                shared.stats.joinFailed.incrementAndGet();
            }
            shared.stats.error(kind);
        }
    }

    /** The join is over, one way or the other. */
    boolean settled() {
        return peerId != null || broken.get();
    }

    boolean joined() {
        return peerId != null;
    }

    boolean joinedWithoutNeighbour() {
        return peerId != null && !firstOfSubnet && !gotNeighbour;
    }
}
