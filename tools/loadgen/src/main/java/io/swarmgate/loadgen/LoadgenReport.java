package io.swarmgate.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The outcome of a run and its one-line JSON form, the benchmark contract of
 * {@code scripts/bench-signaling} (architecture.md): {@code peers, join_p50_ms, join_p99_ms,
 * relay_p99_ms, msgs_per_s, heap_per_peer_kib, errors} first, in that order, then extras.
 * Latencies are milliseconds; {@code null} means nothing was measured.
 */
public record LoadgenReport(int peers, int joined, int subnets, double joinRate, int durationSeconds,
                            Double joinP50Ms, Double joinP99Ms, Double welcomeP99Ms,
                            Double relayP50Ms, Double relayP99Ms, long relaysSent, long relaysLost,
                            int joinedWithoutNeighbour, double msgsPerSecond, Double heapPerPeerKib,
                            long errors, java.util.Map<String, StreamFigures> perStream) {

    /** One stream's figures under {@code --streams}: viewers welcomed, and its join latencies. */
    public record StreamFigures(int joined, long joinSamples, Double joinP50Ms, Double joinP99Ms) {
    }

    /** A run without {@code --streams}. */
    public LoadgenReport(int peers, int joined, int subnets, double joinRate, int durationSeconds,
                         Double joinP50Ms, Double joinP99Ms, Double welcomeP99Ms,
                         Double relayP50Ms, Double relayP99Ms, long relaysSent, long relaysLost,
                         int joinedWithoutNeighbour, double msgsPerSecond, Double heapPerPeerKib, long errors) {
        this(peers, joined, subnets, joinRate, durationSeconds, joinP50Ms, joinP99Ms, welcomeP99Ms, relayP50Ms,
                relayP99Ms, relaysSent, relaysLost, joinedWithoutNeighbour, msgsPerSecond, heapPerPeerKib, errors,
                java.util.Map.of());
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public String toJsonLine() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("peers", peers);
        o.put("join_p50_ms", joinP50Ms);
        o.put("join_p99_ms", joinP99Ms);
        o.put("relay_p99_ms", relayP99Ms);
        o.put("msgs_per_s", round(msgsPerSecond, 1));
        o.put("heap_per_peer_kib", heapPerPeerKib == null ? null : round(heapPerPeerKib, 2));
        o.put("errors", errors);
        o.put("joined", joined);
        o.put("subnets", subnets);
        o.put("join_rate", joinRate);
        o.put("duration_s", durationSeconds);
        o.put("welcome_p99_ms", welcomeP99Ms);
        o.put("relay_p50_ms", relayP50Ms);
        o.put("relays", relaysSent);
        o.put("relays_lost", relaysLost);
        o.put("joined_without_neighbour", joinedWithoutNeighbour);
        if (!perStream.isEmpty()) {
            o.put("streams", perStream.size());
            ObjectNode streams = o.putObject("per_stream");
            perStream.forEach((stream, f) -> {
                ObjectNode s = streams.putObject(stream);
                s.put("joined", f.joined());
                s.put("join_samples", f.joinSamples());
                s.put("join_p50_ms", f.joinP50Ms());
                s.put("join_p99_ms", f.joinP99Ms());
            });
        }
        return o.toString();
    }

    /** Whether the run met its own bar: everyone joined, nothing failed, nothing was lost. */
    public boolean clean() {
        return errors == 0 && joined == peers && relaysLost == 0;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
