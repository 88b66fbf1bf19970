package io.swarmgate.mesh;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who exchanges video with whom: per stream, per site swarms of viewers, their neighbours
 * and their site leaders. Pure domain: the signaling layer calls it and turns the
 * {@link MeshListener} events into messages.
 *
 * <h2>Rules</h2>
 * Taken per operation from the {@link SwarmRules} of the stream (the supplier must be fast and
 * non-blocking, e.g. a cached policy view). Neighbours stay in the viewer's site unless the policy
 * groups sites; a pair always has an uploader in it; nobody exceeds {@code maxNeighbours}; a site
 * in {@link P2pMode#OFF} gets no neighbours. The peer being matched offers (see {@link Pairing}).
 * A viewer's mode and uploader role are fixed when it joins.
 *
 * <h2>Data structures</h2>
 * <ul>
 *   <li>{@code peers}: peer id → {@link PeerState}, concurrent, for O(1) lookups by id.</li>
 *   <li>{@code streams}: stream id → {@link StreamMesh}, created on first join, dropped when empty.</li>
 *   <li>per stream and site a {@link SiteSwarm}: two {@link PeerPool}s (uploaders with free slots;
 *       peers below target) with O(1) add/remove/sample, and a leader-candidate {@code TreeSet}.</li>
 *   <li>per peer a copy-on-write neighbour set (read without locks) and a small map of blocked
 *       pairs (after failure reports).</li>
 * </ul>
 *
 * <h2>Locking</h2>
 * One lock per stream (not per site: grouped sites share pairs). Reads used on hot paths —
 * {@link #isNeighbour}, {@link #neighbours}, {@link #leaders}, {@link #leaderFor} — take no lock.
 * Events are collected under the lock and delivered after it is released, in lock order, by one
 * thread per stream at a time ({@link EventQueue}); the listener may call back into the coordinator.
 *
 * <h2>Complexity</h2>
 * join, leave, reportFailing, resume: each filled peer samples at most three pools (sources,
 * hungry, saturated) of sample = 2·maxNeighbours + targetDegree candidates per allowed site, sorts
 * them, and a saturated candidate scans at most maxNeighbours neighbours; leave re-fills up to
 * maxNeighbours peers. Leader election is O(leadersPerSite · log n). None of it depends on the
 * swarm's size ({@link #candidateInspections()} counts the candidates looked at). isNeighbour,
 * neighbours, leaders: O(1), lock-free. expireSuspended: O(suspended viewers).
 *
 * <h2>Not covered here</h2>
 * A policy change applies to later matching only: existing pairs that a new policy forbids are
 * not torn down, and a viewer keeps the mode and uploader role it joined with; the signaling layer
 * re-joins viewers when a change must take effect at once. A pair whose failure block expires is
 * matched again only when one side next needs neighbours.
 */
public final class Coordinator {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final Function<String, SwarmRules> rulesForStream;
    private final MeshListener listener;
    private final Clock clock;
    private final MeshTimings timings;
    private final long seed;
    private final Map<String, PeerState> peers = new ConcurrentHashMap<>();
    private final Map<String, StreamMesh> streams = new ConcurrentHashMap<>();
    private final Map<String, PeerState> suspended = new ConcurrentHashMap<>();
    private final AtomicLong joinSeq = new AtomicLong();
    private final LongAdder inspections = new LongAdder();

    /**
     * @param rulesForStream the policy view per stream id; {@code null} means defaults
     * @param listener       receives every change (see its threading contract)
     * @param clock          for resume grace and blocked pairs
     * @param timings        resume grace and failing-pair block
     * @param seed           seeds candidate sampling, so tests are reproducible
     */
    public Coordinator(Function<String, SwarmRules> rulesForStream, MeshListener listener, Clock clock,
                       MeshTimings timings, long seed) {
        this.rulesForStream = rulesForStream;
        this.listener = listener;
        this.clock = clock;
        this.timings = timings;
        this.seed = seed;
    }

    /** With the system clock, default timings and a random seed. */
    public Coordinator(Function<String, SwarmRules> rulesForStream, MeshListener listener) {
        this(rulesForStream, listener, Clock.systemUTC(), MeshTimings.defaults(), ThreadLocalRandom.current().nextLong());
    }

    /**
     * Places a viewer in its stream and site and gives it neighbours.
     *
     * @throws IllegalStateException if the peer id is already known
     */
    public JoinResult join(PeerInfo peer) {
        SwarmRules rules = rulesOf(peer.streamId());
        while (true) {
            StreamMesh stream = streams.computeIfAbsent(peer.streamId(),
                    id -> new StreamMesh(id, listener, seed, inspections));
            List<EventQueue.MeshEvent> out = new ArrayList<>();
            JoinResult result;
            stream.lock.lock();
            try {
                if (stream.retired()) {
                    continue; // emptied and dropped between lookup and lock: use the new one
                }
                stream.useRules(rules);
                PeerState state = new PeerState(peer, stream, joinSeq.incrementAndGet(), rules);
                if (peers.putIfAbsent(peer.peerId(), state) != null) {
                    if (stream.retireIfEmpty()) {
                        streams.remove(stream.streamId, stream); // created for this refused join
                    }
                    throw new IllegalStateException(peer.peerId() + " - already joined");
                }
                result = stream.join(state, clock.millis(), out);
                stream.events.enqueue(out);
            } finally {
                stream.lock.unlock();
            }
            stream.events.drain();
            return result;
        }
    }

    /** Removes a viewer for good (bye, or socket closed without resume). Returns false if unknown. */
    public boolean leave(String peerId) {
        return removeIf(peerId, UnassignReason.NEIGHBOUR_LEFT, false);
    }

    /**
     * {@code peerId} reports that its connection to {@code neighbourId} fails: the pair is
     * separated (both are told), not matched again for {@link MeshTimings#failingPairBlock()}, and
     * both get replacements where candidates exist.
     *
     * @return the replacement pairs; empty if the two were not neighbours or are unknown
     */
    public List<Pairing> reportFailing(String peerId, String neighbourId) {
        PeerState reporter = peers.get(peerId);
        PeerState failing = peers.get(neighbourId);
        if (reporter == null || failing == null || reporter.stream != failing.stream) {
            return List.of();
        }
        StreamMesh stream = reporter.stream;
        long now = clock.millis();
        return locked(stream, out -> stream.holds(reporter) && stream.holds(failing)
                ? stream.fail(reporter, failing, now, now + timings.failingPairBlock().toMillis(), out)
                : List.of());
    }

    /** Whether the coordinator paired the two: the relay check for {@code signal}. Lock-free, O(1). */
    public boolean isNeighbour(String peerId, String otherId) {
        PeerState peer = peers.get(peerId);
        return peer != null && peer.hasNeighbour(otherId);
    }

    /** The viewer's current neighbours (an immutable snapshot), empty if unknown. */
    public Set<String> neighbours(String peerId) {
        PeerState peer = peers.get(peerId);
        return peer == null ? Set.of() : peer.neighbours();
    }

    /** The site's leaders sorted by peer id; empty when the site has no eligible uploader. */
    public List<String> leaders(String streamId, String site) {
        StreamMesh stream = streams.get(streamId);
        return stream == null ? List.of() : stream.leaderIds(site);
    }

    /**
     * Which leader fetches {@code segmentId} over HTTP, by the rendezvous rule of
     * {@link SegmentLeaders}; empty when the site has no leader (everyone uses HTTP).
     */
    public Optional<LeaderChoice> leaderFor(String streamId, String site, String segmentId) {
        List<String> leaders = leaders(streamId, site);
        return leaders.isEmpty() ? Optional.empty() : Optional.of(new LeaderChoice(SegmentLeaders.rank(segmentId, leaders)));
    }

    /**
     * The viewer's socket dropped: keep its place, neighbours and leadership for
     * {@link MeshTimings#resumeGrace()}, but give it no new neighbours meanwhile. Events about it
     * are still emitted; on resume the signaling layer resends {@link #neighbours}.
     */
    public boolean suspend(String peerId) {
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        long until = clock.millis() + timings.resumeGrace().toMillis();
        boolean held = locked(peer.stream, out -> {
            if (!peer.stream.holds(peer)) {
                return false;
            }
            peer.stream.suspend(peer, until);
            // Inside the lock so a concurrent resume cannot leave a stale entry behind.
            suspended.put(peerId, peer);
            return true;
        });
        log.debug("{} - suspend {}", peerId, held ? "until " + until : "ignored: not held");
        return held;
    }

    /** The viewer reconnected: true if it was still held (and is matched again), false if gone. */
    public boolean resume(String peerId) {
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        long now = clock.millis();
        StreamMesh stream = peer.stream;
        boolean resumed = locked(stream, out -> {
            if (!stream.holds(peer)) {
                return false;
            }
            if (peer.suspendedUntil >= 0 && peer.suspendedUntil <= now) {
                removeLocked(peer, UnassignReason.RESUME_EXPIRED, now, out);
                return false;
            }
            stream.useRules(rulesOf(stream.streamId));
            stream.resume(peer, now, out);
            suspended.remove(peerId, peer);
            return true;
        });
        log.debug("{} - resume {}", peerId, resumed ? "accepted" : "refused: grace expired");
        return resumed;
    }

    /** Removes suspended viewers whose grace has passed; call periodically. Returns their ids. */
    public List<String> expireSuspended() {
        long now = clock.millis();
        List<String> expired = new ArrayList<>();
        for (PeerState peer : suspended.values()) {
            if (peer.suspendedUntil >= 0 && peer.suspendedUntil <= now
                    && removeIf(peer.id, UnassignReason.RESUME_EXPIRED, true)) {
                expired.add(peer.id);
            }
        }
        return expired;
    }

    /** Viewers currently known, suspended ones included. */
    public int peerCount() {
        return peers.size();
    }

    /** Total candidates looked at by matching since start: a cost metric, also exported. */
    public long candidateInspections() {
        return inspections.sum();
    }

    private boolean removeIf(String peerId, UnassignReason reason, boolean onlyIfExpired) {
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        long now = clock.millis();
        return locked(peer.stream, out -> {
            if (!peer.stream.holds(peer)) {
                return false;
            }
            if (onlyIfExpired && (peer.suspendedUntil < 0 || peer.suspendedUntil > now)) {
                return false; // resumed, or suspended again, since the caller looked
            }
            removeLocked(peer, reason, now, out);
            return true;
        });
    }

    private void removeLocked(PeerState peer, UnassignReason reason, long now, List<EventQueue.MeshEvent> out) {
        StreamMesh stream = peer.stream;
        stream.useRules(rulesOf(stream.streamId));
        stream.remove(peer, reason, now, out);
        peers.remove(peer.id, peer);
        suspended.remove(peer.id, peer);
        if (stream.retired()) {
            streams.remove(stream.streamId, stream);
        }
    }

    /** Runs {@code operation} under the stream lock, then delivers its events outside the lock. */
    private <T> T locked(StreamMesh stream, Function<List<EventQueue.MeshEvent>, T> operation) {
        List<EventQueue.MeshEvent> out = new ArrayList<>();
        T result;
        stream.lock.lock();
        try {
            result = operation.apply(out);
            stream.events.enqueue(out);
        } finally {
            stream.lock.unlock();
        }
        stream.events.drain();
        return result;
    }

    private SwarmRules rulesOf(String streamId) {
        SwarmRules rules = rulesForStream.apply(streamId);
        return rules == null ? SwarmRules.defaults() : rules;
    }
}
