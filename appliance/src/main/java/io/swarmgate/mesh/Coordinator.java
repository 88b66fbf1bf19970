package io.swarmgate.mesh;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
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
 *   <li>{@code peers}: peer id → {@link PeerState}, concurrent so that relay checks read it from
 *       any thread, O(1) by id.</li>
 *   <li>{@code streams}: stream id → {@link StreamMesh}, created on first join, dropped when empty.</li>
 *   <li>per stream and site a {@link SiteSwarm}: two {@link PeerPool}s (uploaders with free slots;
 *       peers below target) with O(1) add/remove/sample, and a leader-candidate {@code TreeSet}.</li>
 *   <li>per peer a copy-on-write neighbour set (read without locks) and a small map of blocked
 *       pairs (after failure reports).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * One thread owns the coordinator: every change (all but the reads below) must be made by the
 * same thread (in the appliance, the signaling mesh thread), so the mesh needs no locks and events
 * come out in the order the changes were made. Only the reads used from other threads are safe
 * anywhere: {@link #isNeighbour} and {@link #neighbours} (a volatile copy-on-write set per peer),
 * {@link #leaders} (a volatile snapshot per site), {@link #peerCount} and
 * {@link #candidateInspections}. Events are collected while a change runs and delivered on the
 * owning thread once it is complete; the listener may call back into the coordinator, and events
 * of such a nested change are delivered after the ones already pending.
 *
 * <h2>Complexity</h2>
 * join, leave, reportFailing, resume: each filled peer samples at most three pools (sources,
 * hungry, saturated) of sample = 2·maxNeighbours + targetDegree candidates per allowed site, sorts
 * them, and a saturated candidate scans at most maxNeighbours neighbours; leave re-fills up to
 * maxNeighbours peers. Leader election is O(leadersPerSite · log n). None of it depends on the
 * swarm's size ({@link #candidateInspections()} counts the candidates looked at). isNeighbour,
 * neighbours, leaders: O(1). expireSuspended: O(suspended viewers); endPairingPauses: O(pausing viewers).
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
    private final OrderedDelivery delivery;
    private final Clock clock;
    private final MeshTimings timings;
    private final long seed;
    // Written by the owning thread only; concurrent because the reads listed above come from others.
    private final Map<String, PeerState> peers = new ConcurrentHashMap<>();
    private final Map<String, StreamMesh> streams = new ConcurrentHashMap<>();
    private final Map<String, PeerState> suspended = new HashMap<>();
    /** Viewers that reach no neighbour, pausing their pairing ({@link #endPairingPauses}). */
    private final Map<String, PeerState> pairingPaused = new HashMap<>();
    private final LongAdder inspections = new LongAdder();
    private long joinSeq;
    /** The thread that made the first change; checked with assertions (on in tests). */
    private Thread owner;

    /**
     * @param rulesForStream the policy view per stream id; {@code null} means defaults
     * @param listener       receives every change, on the owning thread
     * @param clock          for resume grace and blocked pairs
     * @param timings        resume grace and failing-pair block
     * @param seed           seeds candidate sampling, so tests are reproducible
     */
    public Coordinator(Function<String, SwarmRules> rulesForStream, MeshListener listener, Clock clock,
                       MeshTimings timings, long seed) {
        this.rulesForStream = rulesForStream;
        this.delivery = new OrderedDelivery(listener);
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
        assert owned();
        if (peers.containsKey(peer.peerId())) {
            throw new IllegalStateException(peer.peerId() + " - already joined");
        }
        SwarmRules rules = rulesOf(peer.streamId());
        StreamMesh stream = streams.computeIfAbsent(peer.streamId(), id -> new StreamMesh(id, seed, inspections));
        stream.useRules(rules);
        PeerState state = new PeerState(peer, stream, ++joinSeq, rules);
        peers.put(peer.peerId(), state);
        List<MeshEvent> out = new ArrayList<>();
        JoinResult result = stream.join(state, clock.millis(), out);
        deliver(out);
        return result;
    }

    /** Removes a viewer for good (bye, or socket closed without resume). Returns false if unknown. */
    public boolean leave(String peerId) {
        assert owned();
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        List<MeshEvent> out = new ArrayList<>();
        remove(peer, UnassignReason.NEIGHBOUR_LEFT, clock.millis(), out);
        deliver(out);
        return true;
    }

    /**
     * {@code peerId} reports that its connection to {@code neighbourId} fails: the pair is
     * separated (both are told), not matched again for {@link MeshTimings#failingPairBlock()}, and
     * both get replacements where candidates exist.
     *
     * @return the replacement pairs; empty if the two were not neighbours or are unknown
     */
    public List<Pairing> reportFailing(String peerId, String neighbourId) {
        assert owned();
        PeerState reporter = peers.get(peerId);
        PeerState failing = peers.get(neighbourId);
        if (reporter == null || failing == null || reporter.stream != failing.stream) {
            return List.of();
        }
        long now = clock.millis();
        List<MeshEvent> out = new ArrayList<>();
        List<Pairing> made = reporter.stream.fail(reporter, failing, now, now + timings.failingPairBlock().toMillis(), out);
        for (PeerState side : List.of(reporter, failing)) {
            if (side.pairingPausedUntil >= 0) {
                pairingPaused.put(side.id, side);
            }
        }
        deliver(out);
        return made;
    }

    /**
     * Neighbours reported bytes from {@code peerId} that failed the appliance's hash, or its
     * transfers stalling: it is never a site leader again (a new one is elected at once if it
     * led). Returns false if unknown.
     */
    public boolean distrust(String peerId) {
        assert owned();
        PeerState peer = peers.get(peerId);
        if (peer == null || peer.distrusted) {
            return peer != null;
        }
        List<MeshEvent> out = new ArrayList<>();
        peer.stream.distrust(peer, out);
        deliver(out);
        return true;
    }

    /**
     * Whether {@code peerId} reaches its neighbours. One that reaches none (its pairings fail to
     * connect and it has no channel open: an endpoint firewall that blocks WebRTC) is not a site
     * leader while that lasts: each segment it was primary for would wait for the backup, and no
     * colleague could take its copy.
     *
     * @return whether this changed anything (false also when the peer is unknown)
     */
    public boolean reachable(String peerId, boolean reachable) {
        assert owned();
        PeerState peer = peers.get(peerId);
        if (peer == null || peer.unreachable == !reachable) {
            return false; // unknown, or already so
        }
        List<MeshEvent> out = new ArrayList<>();
        peer.stream.reachable(peer, reachable, clock.millis(), out);
        if (peer.pairingPausedUntil < 0) {
            pairingPaused.remove(peerId);
        }
        deliver(out);
        return true;
    }

    /** Whether the coordinator paired the two: the relay check for {@code signal}. Any thread, O(1). */
    public boolean isNeighbour(String peerId, String otherId) {
        PeerState peer = peers.get(peerId);
        return peer != null && peer.hasNeighbour(otherId);
    }

    /** Whether the viewer is treated as reaching no neighbour ({@link #reachable}); false if unknown. Any thread, O(1). */
    public boolean reachesNobody(String peerId) {
        PeerState peer = peers.get(peerId);
        return peer != null && peer.unreachable;
    }

    /** The viewer's current neighbours (an immutable snapshot), empty if unknown. Any thread. */
    public Set<String> neighbours(String peerId) {
        PeerState peer = peers.get(peerId);
        return peer == null ? Set.of() : peer.neighbours();
    }

    /** The site's leaders sorted by peer id; empty when the site has no eligible uploader. Any thread. */
    public List<String> leaders(String streamId, String site) {
        return siteLeaders(streamId, site).site();
    }

    /** The site's leaders and each of its renditions' ({@link SiteLeaders}). Any thread. */
    public SiteLeaders siteLeaders(String streamId, String site) {
        StreamMesh stream = streams.get(streamId);
        return stream == null ? SiteLeaders.NONE : stream.leaders(site);
    }

    /**
     * The renditions {@code peerId} says its player loads now (keys as its SDK names them, checked
     * by the signaling codec): for each, leaders are chosen among the site's viewers that play it.
     * Returns false if the peer is unknown.
     */
    public boolean tracks(String peerId, List<String> tracks) {
        assert owned();
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        if (!peer.tracks().equals(tracks)) {
            List<MeshEvent> out = new ArrayList<>();
            peer.stream.retrack(peer, tracks, out);
            deliver(out);
        }
        return true;
    }

    /**
     * The viewer's socket dropped: keep its place and neighbours for
     * {@link MeshTimings#resumeGrace()}, but give it no new neighbours meanwhile. It stops leading
     * its site at once (a viewer that dropped without {@code bye} is often gone: its site would
     * wait for the backup leader on every segment it was primary for, for the whole grace); when
     * it resumes it is a candidate again. Events about it are still emitted; on resume the
     * signaling layer resends {@link #neighbours}.
     */
    public boolean suspend(String peerId) {
        assert owned();
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        long until = clock.millis() + timings.resumeGrace().toMillis();
        List<MeshEvent> out = new ArrayList<>();
        peer.stream.useRules(rulesOf(peer.stream.streamId));
        peer.stream.suspend(peer, until, out);
        suspended.put(peerId, peer);
        deliver(out);
        log.debug("{} - suspended until {}", peerId, until);
        return true;
    }

    /** The viewer reconnected: true if it was still held (and is matched again), false if gone. */
    public boolean resume(String peerId) {
        assert owned();
        PeerState peer = peers.get(peerId);
        if (peer == null) {
            return false;
        }
        long now = clock.millis();
        List<MeshEvent> out = new ArrayList<>();
        boolean resumed = peer.suspendedUntil < 0 || peer.suspendedUntil > now;
        if (resumed) {
            StreamMesh stream = peer.stream;
            stream.useRules(rulesOf(stream.streamId));
            stream.resume(peer, now, out);
            suspended.remove(peerId);
        } else {
            remove(peer, UnassignReason.RESUME_EXPIRED, now, out);
        }
        deliver(out);
        log.debug("{} - resume {}", peerId, resumed ? "accepted" : "refused: grace expired");
        return resumed;
    }

    /** Removes suspended viewers whose grace has passed; call periodically. Returns their ids. */
    public List<String> expireSuspended() {
        assert owned();
        long now = clock.millis();
        List<PeerState> due = new ArrayList<>();
        for (PeerState peer : suspended.values()) {
            if (peer.suspendedUntil >= 0 && peer.suspendedUntil <= now) {
                due.add(peer);
            }
        }
        List<String> expired = new ArrayList<>(due.size());
        List<MeshEvent> out = new ArrayList<>();
        for (PeerState peer : due) {
            remove(peer, UnassignReason.RESUME_EXPIRED, now, out);
            expired.add(peer.id);
        }
        deliver(out);
        return expired;
    }

    /**
     * Gives neighbours again to viewers whose pause of pairing is over (a viewer that reaches no
     * neighbour pauses after each failed pairing: {@link #reachable}); call periodically.
     */
    public void endPairingPauses() {
        assert owned();
        long now = clock.millis();
        List<MeshEvent> out = new ArrayList<>();
        for (PeerState peer : List.copyOf(pairingPaused.values())) {
            if (peer.pairingPausedUntil <= now) {
                pairingPaused.remove(peer.id);
                peer.stream.useRules(rulesOf(peer.stream.streamId));
                peer.stream.endPairingPause(peer, now, out);
            }
        }
        deliver(out);
    }

    /** Viewers currently known, suspended ones included. Any thread. */
    public int peerCount() {
        return peers.size();
    }

    /** Total candidates looked at by matching since start: a cost metric, also exported. Any thread. */
    public long candidateInspections() {
        return inspections.sum();
    }

    private void remove(PeerState peer, UnassignReason reason, long now, List<MeshEvent> out) {
        StreamMesh stream = peer.stream;
        stream.useRules(rulesOf(stream.streamId));
        stream.remove(peer, reason, now, out);
        peers.remove(peer.id);
        suspended.remove(peer.id);
        pairingPaused.remove(peer.id);
        if (stream.isEmpty()) {
            streams.remove(stream.streamId);
        }
    }

    private void deliver(List<MeshEvent> events) {
        delivery.deliver(events);
    }

    /** For assertions: whether the calling thread is the one that owns this coordinator. */
    private boolean owned() {
        Thread current = Thread.currentThread();
        if (owner == null) {
            owner = current;
        }
        if (owner != current) {
            throw new IllegalStateException("the coordinator is owned by " + owner.getName()
                    + "; a change was attempted on " + current.getName());
        }
        return true;
    }

    private SwarmRules rulesOf(String streamId) {
        SwarmRules rules = rulesForStream.apply(streamId);
        return rules == null ? SwarmRules.defaults() : rules;
    }
}
