package io.swarmgate.loadgen;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One run's settings, validated once by {@link #validate()} before anything connects. Defaults
 * are the named constants; the CLI shows them in its help.
 *
 * @param url             {@code ws://} or {@code wss://} URL of the appliance's {@code /ws}
 * @param caFile          PEM trust anchor(s) for {@code wss}, or {@code null} for the JVM's defaults
 * @param peers           simulated viewers
 * @param subnets         distinct /24 source subnets (see {@link SourceAddresses})
 * @param joinRate        joins per second, paced open-loop
 * @param durationSeconds how long to hold once every viewer joined
 * @param stream          the stream id (or manifest URL) every viewer says it plays
 * @param relayRate       candidates per second, in total, during the hold
 * @param origin          {@code Origin} header of the upgrade, or {@code null}
 * @param serverHeapUrl   URL answering {@code {"heapUsedBytes": N}} after a GC, or {@code null}
 * @param warmupPeers     viewers of an unmeasured warm-up round before the run (0: none)
 * @param streams         how many streams the viewers spread over ({@link #streamOf}); 1: all on {@code stream}
 */
public record LoadgenSettings(URI url, Path caFile, int peers, int subnets, double joinRate, int durationSeconds,
                              String stream, double relayRate, String origin, URI serverHeapUrl, int warmupPeers,
                              int streams) {

    /** Every viewer on the one {@code stream}. */
    public LoadgenSettings(URI url, Path caFile, int peers, int subnets, double joinRate, int durationSeconds,
                           String stream, double relayRate, String origin, URI serverHeapUrl, int warmupPeers) {
        this(url, caFile, peers, subnets, joinRate, durationSeconds, stream, relayRate, origin, serverHeapUrl,
                warmupPeers, 1);
    }

    public static final int DEFAULT_PEERS = 1000;
    public static final int DEFAULT_SUBNETS = 10;
    public static final double DEFAULT_JOIN_RATE = 500;
    public static final int DEFAULT_DURATION_SECONDS = 10;
    public static final String DEFAULT_STREAM = "loadgen";
    public static final double DEFAULT_RELAY_RATE = 200;
    public static final int DEFAULT_STREAMS = 1;
    /** More streams than this would leave most of them with a viewer or two at the usual --peers. */
    public static final int MAX_STREAMS = 10_000;
    /**
     * The warm-up round: this many viewers join at the run's rate, relay for
     * {@link #WARMUP_HOLD_SECONDS} and leave before anything is measured, so that both JVMs have
     * compiled the join and relay paths. Without it the first seconds of a run measure the
     * interpreter (a third of both processes' samples in a cold 4,000-viewer run).
     */
    public static final int DEFAULT_WARMUP_PEERS = 2000;
    static final int WARMUP_HOLD_SECONDS = 2;
    /** Grace after the expected end (all joins paced, then the hold) before the run is cut short. */
    public static final int HARD_STOP_GRACE_SECONDS = 60;
    /** The appliance's sustained per-connection rate (docs/protocol.md); pings take a little of it. */
    static final double PER_VIEWER_RATE_LIMIT = 20;

    /**
     * Checks what picocli's types cannot; throws {@link IllegalArgumentException} whose message
     * starts with the offending option.
     */
    public LoadgenSettings validate() {
        String scheme = url.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("--url must start with ws:// or wss://, not " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("--url has no host: " + url);
        }
        if (caFile != null && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("--ca only applies to a wss:// --url");
        }
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new IllegalArgumentException("--ca " + caFile + " is not a readable file");
        }
        if (peers < 1) {
            throw new IllegalArgumentException("--peers must be at least 1, not " + peers);
        }
        if (subnets < 1 || subnets > SourceAddresses.MAX_SUBNETS) {
            throw new IllegalArgumentException("--subnets must be 1.." + SourceAddresses.MAX_SUBNETS + ", not " + subnets);
        }
        if (peers > new SourceAddresses(subnets).capacity()) {
            throw new IllegalArgumentException("--peers " + peers + " needs more than "
                    + SourceAddresses.MAX_VIEWERS_PER_ADDRESS + " viewers per address with --subnets " + subnets
                    + " (the appliance's per-IP cap): raise --subnets");
        }
        if (!(joinRate > 0)) {
            throw new IllegalArgumentException("--join-rate must be above 0, not " + joinRate);
        }
        if (durationSeconds < 0) {
            throw new IllegalArgumentException("--duration must not be negative, not " + durationSeconds);
        }
        if (!(relayRate >= 0)) {
            throw new IllegalArgumentException("--relay-rate must not be negative, not " + relayRate);
        }
        if (stream == null || stream.isEmpty() || stream.length() > 2048) {
            throw new IllegalArgumentException("--stream must be 1..2048 characters");
        }
        if (streams < 1 || streams > MAX_STREAMS) {
            throw new IllegalArgumentException("--streams must be 1.." + MAX_STREAMS + ", not " + streams);
        }
        if (warmupPeers < 0 || warmupPeers > new SourceAddresses(subnets).capacity()) {
            throw new IllegalArgumentException("--warmup-peers must be 0.." + new SourceAddresses(subnets).capacity()
                    + " with --subnets " + subnets + ", not " + warmupPeers);
        }
        if (serverHeapUrl != null && !"http".equals(serverHeapUrl.getScheme())
                && !"https".equals(serverHeapUrl.getScheme())) {
            throw new IllegalArgumentException("--server-heap-url must be an http:// or https:// URL");
        }
        return this;
    }

    /** Candidates each viewer sends per second on average; above the appliance's limit they get rate_limited. */
    public double relayRatePerViewer() {
        return relayRate / peers;
    }

    /** How long the joins take at the paced rate. */
    public long expectedJoinMillis() {
        return (long) Math.ceil(peers * 1000.0 / joinRate);
    }

    /** When to give up on the measured round: joins, hold, and {@link #HARD_STOP_GRACE_SECONDS}. */
    public long hardStopMillis() {
        return expectedJoinMillis() + (durationSeconds + HARD_STOP_GRACE_SECONDS) * 1000L;
    }

    /** When to give up on the whole run, the warm-up round included. */
    public long totalHardStopMillis() {
        return hardStopMillis() + (warmupPeers > 0 ? warmUp().hardStopMillis() : 0);
    }

    /** The warm-up round's settings: same appliance, stream, subnets and rates; short, no heap figure. */
    public LoadgenSettings warmUp() {
        return new LoadgenSettings(url, caFile, warmupPeers, subnets, joinRate, WARMUP_HOLD_SECONDS, stream, relayRate,
                origin, null, 0, streams);
    }

    /** Viewer {@code index}'s stream: {@code stream} alone, or {@code <stream>-<index mod streams>}. */
    public String streamOf(int index) {
        return streams == 1 ? stream : stream + "-" + (index % streams);
    }

    /**
     * Where viewer {@code index} connects: {@code url} alone, or with {@code ?stream=} naming its
     * stream as the SDK does, so that a proxy in front of several appliances can shard by it.
     */
    public URI urlOf(int index) {
        if (streams == 1) {
            return url;
        }
        String query = "stream=" + URLEncoder.encode(streamOf(index), StandardCharsets.UTF_8);
        String s = url.toString();
        int fragment = s.indexOf('#');
        String base = fragment < 0 ? s : s.substring(0, fragment);
        return URI.create(base + (url.getRawQuery() == null ? "?" : "&") + query);
    }

    /**
     * Whether viewer {@code index} is the first of its subnet on its stream, so nobody can be
     * matched with it at join time. Subnet and stream both go round-robin by index, so the pair
     * repeats every lcm(subnets, streams) viewers.
     */
    public boolean firstOfGroup(int index) {
        long a = subnets;
        long b = streams;
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return index < (long) subnets / a * streams;
    }
}
