package io.swarmgate.loadgen;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;

/**
 * Runs one benchmark: paces the joins open-loop, holds while relaying candidates at the
 * aggregate rate, then has every viewer say {@code bye}, and reports. Every wait is bounded by
 * the hard stop ({@link LoadgenSettings#hardStopMillis()}); past it the run ends early and
 * reports what it measured.
 */
public final class LoadGenerator implements AutoCloseable {

    /** How long in-flight relays may take to arrive after the hold before they count as lost. */
    static final long RELAY_DRAIN_MILLIS = 2_000;
    public static final long CLOSE_WAIT_MILLIS = 10_000;
    /** A viewer whose connect, TLS handshake and upgrade take longer than this counts as failed. */
    static final long CONNECT_TIMEOUT_MILLIS = 30_000;

    private final LoadgenSettings settings;
    private final PrintStream progress;
    private final SourceAddresses addresses;
    private final RunStats stats = new RunStats();
    private final RelayRegistry relays = new RelayRegistry();
    private final ScheduledExecutorService timers;
    private final NioLoop[] loops;
    private final SSLContext tls;
    private final SimulatedViewer[] viewers;
    private volatile boolean stopRequested;
    private volatile LoadGenerator warmUp;
    /** Whether this run prints its phase marks (the measured run; not the warm-up round). */
    private boolean marksPhases;

    public LoadGenerator(LoadgenSettings settings, PrintStream progress) throws Exception {
        this.settings = settings.validate();
        this.progress = progress;
        this.addresses = new SourceAddresses(settings.subnets());
        this.viewers = new SimulatedViewer[settings.peers()];
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "loadgen-timer");
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true); // 20,000 cancelled heartbeats must not linger
        this.timers = pool;
        this.tls = "wss".equals(settings.url().getScheme()) ? tls(settings.caFile()) : null;
        // The appliance under test usually shares the machine: one selector thread per two cores.
        this.loops = new NioLoop[Math.max(1, Runtime.getRuntime().availableProcessors() / 2)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new NioLoop("loadgen-io-" + i);
        }
    }

    /** TLS trusting {@code caFile}'s certificates, or the JVM's defaults without one. */
    private static SSLContext tls(Path caFile) throws Exception {
        return caFile == null ? SSLContext.getDefault() : CaTrust.clientContext(caFile);
    }

    /** Ends a running {@link #run()} early (Ctrl-C); it still says bye and reports. */
    public void requestStop() {
        stopRequested = true;
        LoadGenerator round = warmUp;
        if (round != null) {
            round.requestStop();
        }
    }

    /** The warm-up round when there is one ({@link LoadgenSettings#warmupPeers()}), then the measured run. */
    public LoadgenReport run() throws Exception {
        if (settings.warmupPeers() > 0 && !stopRequested) {
            progress.println("loadgen: warm-up: " + settings.warmupPeers()
                    + " viewers join, relay and leave first; none of it is measured");
            try (LoadGenerator round = new LoadGenerator(settings.warmUp(), progress)) {
                warmUp = round;
                if (stopRequested) {
                    round.requestStop();
                }
                LoadgenReport r = round.measure();
                progress.println("loadgen: warm-up done: " + r.joined() + "/" + r.peers() + " joined, "
                        + r.errors() + " errors; the measured run starts");
            } finally {
                warmUp = null;
            }
        }
        marksPhases = true;
        return measure();
    }

    /**
     * A line {@code loadgen: phase NAME} on the progress stream as the measured run enters a phase:
     * {@code joins} (the first join is paced), {@code joined} (every join settled, before the heap
     * probe's collections), {@code hold} (relays start), {@code end} (the hold is over). A caller
     * that watches the stream can read the appliance's CPU at each mark (scripts/bench-signaling).
     */
    private void phase(String name) {
        if (marksPhases) {
            progress.println("loadgen: phase " + name);
            progress.flush();
        }
    }

    private LoadgenReport measure() throws InterruptedException {
        long start = System.nanoTime();
        long hardStop = start + TimeUnit.MILLISECONDS.toNanos(settings.hardStopMillis());
        BooleanSupplier stop = () -> stopRequested || System.nanoTime() - hardStop >= 0;
        ServerHeapProbe heap = new ServerHeapProbe(settings.serverHeapUrl(), tls);
        long heapBefore = heap.heapUsedBytes();
        SimulatedViewer.Shared shared = new SimulatedViewer.Shared(new ClientCodec(), stats, relays, timers);

        ProgressLine line = new ProgressLine(progress, stats, settings.peers());
        timers.scheduleAtFixedRate(line::print, 1, 1, TimeUnit.SECONDS);

        phase("joins");
        long joinStart = System.nanoTime();
        new OpenLoopPacer(joinStart, settings.joinRate()).run(settings.peers(), Long.MAX_VALUE, stop, (k, intended) -> {
            join((int) k, intended, shared);
            return true;
        });
        awaitOrStop(() -> settledJoins() >= settings.peers(), stop);
        phase("joined");
        // Every viewer joined and idle (heartbeats only): the heap figure is theirs. Taken before
        // the hold so that the forced GCs do not land in the relay measurement.
        long heapAfter = heap.heapUsedBytes();

        phase("hold");
        long holdStart = System.nanoTime();
        long holdEnd = holdStart + TimeUnit.SECONDS.toNanos(settings.durationSeconds());
        if (settings.relayRate() > 0) {
            long[] cursor = {0}; // only the pacer thread touches it
            new OpenLoopPacer(holdStart, settings.relayRate()).run(Long.MAX_VALUE, holdEnd, stop,
                    (k, intended) -> {
                        relayOnce(cursor, intended);
                        return true;
                    });
        }
        awaitOrStop(() -> System.nanoTime() - holdEnd >= 0, stop);
        long measuredEnd = System.nanoTime();
        phase("end");
        long messages = stats.messages();
        long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELAY_DRAIN_MILLIS);
        awaitOrStop(() -> relays.outstanding() == 0 || System.nanoTime() - drainUntil >= 0, stop);

        for (SimulatedViewer viewer : viewers) {
            if (viewer != null) {
                viewer.leave();
            }
        }
        long closeUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        awaitOrStop(() -> stats.open.get() <= 0 || System.nanoTime() - closeUntil >= 0,
                () -> System.nanoTime() - hardStop >= 0);
        line.print();
        Throwable connectFailure = stats.firstConnectFailure.get();
        if (connectFailure != null) {
            progress.println("loadgen: first connect failure: " + connectFailure);
        }
        if (stats.open.get() > 0) {
            progress.println("loadgen: " + stats.open.get() + " sockets still open after bye; closing them");
        }
        return report(messages, measuredEnd - start, heapBefore, heapAfter);
    }

    /**
     * Starts viewer {@code index}'s join: the socket is opened on its selector thread, so the
     * pacer only creates it (the join latency runs from {@code intendedNanos}).
     */
    private void join(int index, long intendedNanos, SimulatedViewer.Shared shared) {
        String stream = settings.streamOf(index);
        SimulatedViewer viewer = new SimulatedViewer(shared, stream, stats.joinOf(stream), addresses.dotted(index),
                intendedNanos, settings.firstOfGroup(index));
        viewers[index] = viewer;
        WireSocket socket = WireSocket.connect(loops[index % loops.length], settings.urlOf(index),
                addresses.addressOf(index), settings.origin(), tls, viewer);
        timers.schedule(() -> socket.failIfNotOpenYet("no WebSocket within " + CONNECT_TIMEOUT_MILLIS + " ms"),
                CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Sends one candidate from the next viewer (round-robin) that has a neighbour. */
    private void relayOnce(long[] cursor, long intendedNanos) {
        for (int tries = 0; tries < viewers.length; tries++) {
            SimulatedViewer from = viewers[(int) (cursor[0]++ % viewers.length)];
            String to = from == null ? null : from.pickNeighbour(cursor[0] / viewers.length);
            if (to != null) {
                from.sendCandidate(to, intendedNanos);
                return;
            }
        }
    }

    private int settledJoins() {
        return stats.welcomed.get() + stats.joinFailed.get();
    }

    private static void awaitOrStop(BooleanSupplier done, BooleanSupplier stop) {
        while (!done.getAsBoolean() && !stop.getAsBoolean()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private LoadgenReport report(long messages, long elapsedNanos, long heapBefore, long heapAfter) {
        int joined = stats.welcomed.get();
        int lonely = 0;
        for (SimulatedViewer viewer : viewers) {
            if (viewer != null && viewer.joinedWithoutNeighbour()) {
                lonely++;
            }
        }
        double seconds = Math.max(1e-3, elapsedNanos / 1e9);
        return new LoadgenReport(settings.peers(), joined, settings.subnets(), settings.joinRate(),
                settings.durationSeconds(), stats.join.percentileMillis(50), stats.join.percentileMillis(99),
                stats.welcome.percentileMillis(99), relays.latency().percentileMillis(50),
                relays.latency().percentileMillis(99), relays.sent(), relays.outstanding(), lonely,
                messages / seconds, ServerHeapProbe.perPeerKib(heapBefore, heapAfter, joined), stats.errors(),
                settings.streams() == 1 ? java.util.Map.of() : perStream());
    }

    /** Per stream: viewers welcomed and the join latency of those matched with a neighbour. */
    private java.util.SortedMap<String, LoadgenReport.StreamFigures> perStream() {
        java.util.SortedMap<String, LoadgenReport.StreamFigures> out = new java.util.TreeMap<>();
        java.util.Map<String, Integer> joinedBy = new java.util.HashMap<>();
        for (SimulatedViewer viewer : viewers) {
            if (viewer != null && viewer.joined()) {
                joinedBy.merge(viewer.stream(), 1, Integer::sum);
            }
        }
        stats.joinByStream().forEach((stream, histogram) -> out.put(stream, new LoadgenReport.StreamFigures(
                joinedBy.getOrDefault(stream, 0), histogram.count(), histogram.percentileMillis(50),
                histogram.percentileMillis(99))));
        return out;
    }

    /**
     * Writes the measured run's join latencies per stream to {@code file}, one line per stream and
     * recorded value: {@code stream TAB microseconds TAB count}. Streams are what a caller groups
     * by (per appliance behind a load balancer), and percentiles do not add up; these counts do.
     */
    public void writeJoinLatencies(Path file) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        new java.util.TreeMap<>(stats.joinByStream()).forEach((stream, histogram) -> histogram.forEachValue(
                (micros, count) -> out.append(stream).append('\t').append(micros).append('\t').append(count)
                        .append('\n')));
        java.nio.file.Files.writeString(file, out);
    }

    /** Error kinds seen, for the human-readable summary. */
    public java.util.Map<String, Long> errorKinds() {
        return stats.errorKinds();
    }

    @Override
    public void close() {
        timers.shutdownNow();
        for (NioLoop loop : loops) {
            loop.close();
        }
    }
}
