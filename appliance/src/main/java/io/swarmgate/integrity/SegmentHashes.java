package io.swarmgate.integrity;

import io.swarmgate.policy.StreamPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integrity anchor: each segment's SHA-256 as the origin serves it, learnt by the appliance
 * itself so that no peer can vouch for its own bytes (docs/security.md, "Segment integrity").
 *
 * <p>The first ask for a segment fetches it once from its URL — only from a media origin of the
 * stream ({@link MediaOrigins}) — and hashes it while it streams in, keeping nothing but the
 * digest. Asks while that fetch runs wait for it; the answer is kept for the TTL (failures for
 * {@link #FAILURE_TTL}, so a dead origin is not asked again by every viewer), at most
 * {@code maxEntries} segments, least recently asked first out. So the origin sees at most one copy
 * of each segment per rendition per TTL from this appliance. At most {@code maxFetches} fetches run
 * at once; more asks for new segments are answered {@link Failure#BUSY} and the viewers fetch that
 * segment over HTTP. A segment is its identity under the stream's policy ({@link SegmentUrl#id}):
 * for a byte range, exactly the bytes of that range are fetched and hashed. Safe on any thread.
 */
public final class SegmentHashes {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentHashes.class);
    /** How long a failed fetch is remembered before the origin is asked again. */
    static final Duration FAILURE_TTL = Duration.ofSeconds(5);

    /** What a viewer is told about a segment. */
    public sealed interface Answer permits Known, Failed {
    }

    /** The origin's bytes hash to {@code sha256} and are {@code length} long. */
    public record Known(byte[] sha256, long length) implements Answer {
        public Known {
            sha256 = sha256.clone();
        }

        @Override
        public byte[] sha256() {
            return sha256.clone();
        }
    }

    public record Failed(Failure failure) implements Answer {
    }

    /** Why there is no hash; {@code wire} is the code viewers receive. */
    public enum Failure {
        NOT_ALLOWED("not_allowed"), NOT_FOUND("not_found"), TOO_LARGE("too_large"),
        ORIGIN_UNAVAILABLE("origin_unavailable"), BUSY("busy");

        public final String wire;

        Failure(String wire) {
            this.wire = wire;
        }
    }

    /** Reads a segment and hashes it; completes (never exceptionally) with the answer. */
    @FunctionalInterface
    public interface Origin {
        CompletableFuture<Answer> fetch(SegmentUrl url, long maxBytes);
    }

    /**
     * @param ttl             how long a hash is kept
     * @param maxSegmentBytes largest segment hashed; larger ones are {@link Failure#TOO_LARGE}
     * @param fetchTimeout    bound of one fetch, after which it counts as unavailable
     * @param maxFetches      fetches in progress at once
     * @param maxEntries      segments remembered
     */
    public record Settings(Duration ttl, long maxSegmentBytes, Duration fetchTimeout, int maxFetches, int maxEntries) {
    }

    private final MediaOrigins origins;
    private final Origin origin;
    private final Settings settings;
    private final Clock clock;
    private final Map<String, Entry> cache;
    private int inFlight; // guarded by cache
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong asks = new AtomicLong();

    private static final class Entry {
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        long expiresAt = Long.MAX_VALUE; // until the fetch completes
    }

    public SegmentHashes(MediaOrigins origins, Origin origin, Settings settings, Clock clock) {
        this.origins = origins;
        this.origin = origin;
        this.settings = settings;
        this.clock = clock;
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > settings.maxEntries();
            }
        };
    }

    public MediaOrigins origins() {
        return origins;
    }

    /** The hash of the segment at {@code url} for a viewer of a stream under {@code policy} (null: the defaults). */
    public CompletableFuture<Answer> lookup(StreamPolicy policy, SegmentUrl url) {
        asks.incrementAndGet();
        if (!origins.allows(policy, url)) {
            return CompletableFuture.completedFuture(new Failed(Failure.NOT_ALLOWED));
        }
        // Keyed like the swarm keys it: per-viewer tokens do not multiply origin fetches, and a
        // byte range is its own segment.
        String id = url.id(policy == null ? StreamPolicy.DEFAULT_VIEWER_PARAMS : policy.viewerParams());
        Entry entry;
        synchronized (cache) {
            long now = clock.millis();
            Entry known = cache.get(id);
            if (known != null && now < known.expiresAt) {
                return known.answer;
            }
            if (inFlight >= settings.maxFetches()) {
                return CompletableFuture.completedFuture(new Failed(Failure.BUSY));
            }
            entry = new Entry();
            cache.put(id, entry);
            inFlight++;
        }
        fetches.incrementAndGet();
        CompletableFuture<Answer> fetched;
        try {
            fetched = origin.fetch(url, settings.maxSegmentBytes());
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.orTimeout(settings.fetchTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, error) -> {
                    if (error != null || answer == null) {
                        LOG.debug("integrity - fetching {} failed", id, error);
                        return (Answer) new Failed(Failure.ORIGIN_UNAVAILABLE);
                    }
                    return answer;
                })
                .thenAccept(answer -> settle(id, entry, answer));
        return entry.answer;
    }

    private void settle(String id, Entry entry, Answer answer) {
        if (answer instanceof Known known) {
            fetchedBytes.addAndGet(known.length());
        } else {
            failures.incrementAndGet();
            LOG.info("integrity - no hash for {}: {}", id, ((Failed) answer).failure().wire);
        }
        synchronized (cache) {
            inFlight--;
            Duration keep = answer instanceof Known ? settings.ttl() : FAILURE_TTL;
            entry.expiresAt = clock.millis() + keep.toMillis();
        }
        entry.answer.complete(answer);
    }

    /** Segments fetched from origins since start (each one fetch). */
    public long fetches() {
        return fetches.get();
    }

    /** Bytes read from origins to hash them since start: the appliance's own origin load. */
    public long fetchedBytes() {
        return fetchedBytes.get();
    }

    /** Fetches that gave no hash since start. */
    public long failures() {
        return failures.get();
    }

    /** Hashes viewers asked for since start. */
    public long asks() {
        return asks.get();
    }

    /** Segments remembered now. */
    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }
}
