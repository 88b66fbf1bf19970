package io.swarmgate.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters and distributions of one run, updated from the WebSocket client's I/O threads
 * (hence adders and concurrent histograms) and read by the progress line and the final report.
 */
final class RunStats {

    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final AtomicInteger welcomed = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    /** Viewers whose join ended without a welcome: connect or upgrade failed, or closed first. */
    final AtomicInteger joinFailed = new AtomicInteger();
    /** intended hello → first neighbour, or → welcome for the first viewer of a subnet. */
    final LatencyHistogram join = new LatencyHistogram();
    /** intended hello → welcome, every viewer. */
    final LatencyHistogram welcome = new LatencyHistogram();
    /** {@link #join} by stream, when viewers spread over several. */
    private final java.util.concurrent.ConcurrentMap<String, LatencyHistogram> joinByStream =
            new java.util.concurrent.ConcurrentHashMap<>();

    LatencyHistogram joinOf(String stream) {
        return joinByStream.computeIfAbsent(stream, s -> new LatencyHistogram());
    }

    java.util.Map<String, LatencyHistogram> joinByStream() {
        return joinByStream;
    }

    private final LongAdder errors = new LongAdder();
    /** The first connect failure, verbatim: 20,000 identical stack traces would say nothing more. */
    final java.util.concurrent.atomic.AtomicReference<Throwable> firstConnectFailure =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();

    /** Counts one error; {@code kind} is an {@code error} code or what went wrong, for the summary. */
    void error(String kind) {
        errors.increment();
        errorKinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    long errors() {
        return errors.sum();
    }

    long messages() {
        return sent.sum() + received.sum();
    }

    /** Error kinds and their counts, sorted by kind. */
    Map<String, Long> errorKinds() {
        Map<String, Long> sorted = new TreeMap<>();
        errorKinds.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted;
    }
}
