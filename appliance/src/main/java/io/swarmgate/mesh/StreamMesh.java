package io.swarmgate.mesh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All viewers of one stream, split into per-site swarms (one object per stream, not per site,
 * because a policy's site groups let a pair straddle two sites of the same stream). Every
 * operation touches O(degree) peers. Confined to the coordinator's owning thread, except
 * {@link #leaders}; events are appended to {@code out} and delivered by the coordinator once
 * the operation is complete.
 */
final class StreamMesh {

    private static final Logger log = LoggerFactory.getLogger(StreamMesh.class);
    private static final Comparator<PeerState> JOIN_ORDER = Comparator.comparingLong(p -> p.joinSeq);
    /** The first pause of a viewer's pairing after one failed while it reaches no neighbour. */
    static final long FIRST_PAIRING_PAUSE_MS = 15_000;
    /** The longest: each pause in a row doubles the last, up to this. */
    static final long MAX_PAIRING_PAUSE_MS = 300_000;

    final String streamId;

    private final Map<String, PeerState> peers = new HashMap<>();
    // Concurrent only so that leader queries can read it from other threads.
    private final Map<String, SiteSwarm> sites = new ConcurrentHashMap<>();
    private final Matchmaker matchmaker;
    private SwarmRules rules = SwarmRules.defaults();

    StreamMesh(String streamId, long seed, LongAdder inspections) {
        this.streamId = streamId;
        this.matchmaker = new Matchmaker(sites, peers, new SplittableRandom(seed ^ streamId.hashCode()), inspections);
    }

    /** The policy layer's current rules; later matching follows them. */
    void useRules(SwarmRules latest) {
        rules = latest;
    }

    SwarmRules rules() {
        return rules;
    }

    /** True once the last viewer left; the coordinator then drops this object. */
    boolean isEmpty() {
        return peers.isEmpty();
    }

    boolean holds(PeerState peer) {
        return !peer.gone && peers.get(peer.id) == peer;
    }

    JoinResult join(PeerState peer, long now, List<MeshEvent> out) {
        peers.put(peer.id, peer);
        SiteSwarm site = sites.computeIfAbsent(peer.site(), SiteSwarm::new);
        site.add(peer);
        matchmaker.refresh(peer, rules);
        List<Pairing> made = new ArrayList<>();
        matchmaker.fill(peer, rules, now, made, out);
        reelect(site, out);
        log.debug("{} - joined {} in site {} ({}, uploader {}) with {} neighbours", peer.id, streamId, peer.site(),
                peer.mode, peer.uploader, made.size());
        return new JoinResult(peer.id, peer.site(), peer.mode, peer.uploader, made, site.leaders().site());
    }

    /** Removes a viewer for good; its neighbours are told and get replacements. */
    void remove(PeerState peer, UnassignReason reason, long now, List<MeshEvent> out) {
        peer.gone = true;
        peers.remove(peer.id);
        SiteSwarm site = sites.get(peer.site());
        site.remove(peer);
        List<PeerState> former = resolve(peer);
        for (PeerState neighbour : former) {
            matchmaker.unlink(neighbour, peer, reason, false, rules, out);
        }
        // Leaders first: a site should never wait for replacement neighbours to get a new leader.
        reelect(site, out);
        for (PeerState neighbour : former) {
            matchmaker.fill(neighbour, rules, now, new ArrayList<>(), out);
        }
        if (site.isEmpty()) {
            sites.remove(peer.site());
        }
        log.debug("{} - left {} ({}), {} neighbours re-matched", peer.id, streamId, reason, former.size());
    }

    /** Separates a pair one side reported, blocks it until {@code blockedUntil} and re-fills both. */
    List<Pairing> fail(PeerState reporter, PeerState failing, long now, long blockedUntil,
                       List<MeshEvent> out) {
        reporter.block(failing.id, blockedUntil, now);
        failing.block(reporter.id, blockedUntil, now);
        if (!reporter.hasNeighbour(failing.id)) {
            return List.of();
        }
        matchmaker.unlink(reporter, failing, UnassignReason.REPORTED_FAILING, true, rules, out);
        pausePairing(reporter, now);
        pausePairing(failing, now);
        List<Pairing> made = new ArrayList<>();
        matchmaker.fill(reporter, rules, now, made, out);
        matchmaker.fill(failing, rules, now, made, out);
        log.debug("{} - reported {} as failing; {} replacement pairs", reporter.id, failing.id, made.size());
        return made;
    }

    /**
     * A pairing of {@code peer} failed while it reaches no neighbour (an endpoint firewall that
     * blocks WebRTC, {@link #reachable}): it is given no new neighbours for a while, 15 s at first
     * and twice as long each time after, up to 5 minutes. Without the pause such a viewer is paired
     * again the moment a pairing fails, with the next colleague whose block has not begun, and
     * takes one of their neighbour slots for a doomed connection after another. A pause under way
     * is not lengthened by the other pairings it was still trying.
     */
    private void pausePairing(PeerState peer, long now) {
        if (!peer.unreachable || peer.pairingPausedUntil >= 0) {
            return;
        }
        long pause = Math.min(MAX_PAIRING_PAUSE_MS, FIRST_PAIRING_PAUSE_MS << Math.min(peer.pairingPauses, 8));
        peer.pairingPauses++;
        peer.pairingPausedUntil = now + pause;
        matchmaker.refresh(peer, rules);
        log.debug("{} - reaches no neighbour: no new neighbours for {} ms (pause {})", peer.id, pause, peer.pairingPauses);
    }

    /** The viewer's pause of pairing is over: it is given neighbours again. */
    void endPairingPause(PeerState peer, long now, List<MeshEvent> out) {
        peer.pairingPausedUntil = -1;
        matchmaker.refresh(peer, rules);
        matchmaker.fill(peer, rules, now, new ArrayList<>(), out);
    }

    /** Stops the viewer from leading its site; a new leader is elected at once if it led. */
    void distrust(PeerState peer, List<MeshEvent> out) {
        peer.distrusted = true;
        SiteSwarm site = sites.get(peer.site());
        if (site != null) {
            site.standDown(peer);
            reelect(site, out);
        }
    }

    /**
     * Whether the viewer reaches its neighbours: one that reaches none is not a leader (a new one is
     * elected at once if it led), and its failed pairings pause its pairing ({@link #fail}). Once
     * it reaches one it is a candidate again, and a pause is over.
     */
    void reachable(PeerState peer, boolean reachable, long now, List<MeshEvent> out) {
        peer.unreachable = !reachable;
        if (reachable && (peer.pairingPausedUntil >= 0 || peer.pairingPauses > 0)) {
            peer.pairingPauses = 0; // paused or probing: given its full share of neighbours now
            endPairingPause(peer, now, out);
        }
        SiteSwarm site = sites.get(peer.site());
        if (site != null) {
            if (reachable) {
                site.reinstate(peer);
            } else {
                site.standDown(peer);
            }
            reelect(site, out);
        }
    }

    /**
     * Keeps the viewer's neighbours but stops giving it new ones; it stops leading at once (a
     * replacement is elected) and is a leader candidate again only when it resumes.
     */
    void suspend(PeerState peer, long until, List<MeshEvent> out) {
        peer.suspendedUntil = until;
        matchmaker.refresh(peer, rules);
        SiteSwarm site = sites.get(peer.site());
        if (site != null) {
            site.standDown(peer);
            reelect(site, out);
        }
    }

    void resume(PeerState peer, long now, List<MeshEvent> out) {
        peer.suspendedUntil = -1;
        matchmaker.refresh(peer, rules);
        SiteSwarm site = sites.get(peer.site());
        if (site != null) {
            site.reinstate(peer);
            reelect(site, out); // fills a place left empty while nobody else could lead
        }
        matchmaker.fill(peer, rules, now, new ArrayList<>(), out);
    }

    /**
     * The renditions the viewer plays now: each rendition a site's viewers play has leaders among
     * them, so a viewer is a candidate for those it plays (a leader fetches only its own player's).
     */
    void retrack(PeerState peer, List<String> tracks, List<MeshEvent> out) {
        SiteSwarm site = sites.get(peer.site());
        if (site != null) {
            peer.tracks(site.retrack(peer, tracks));
            reelect(site, out);
        }
    }

    SiteLeaders leaders(String site) {
        SiteSwarm swarm = sites.get(site);
        return swarm == null ? SiteLeaders.NONE : swarm.leaders();
    }

    private void reelect(SiteSwarm site, List<MeshEvent> out) {
        SiteLeaders leaders = site.reelect(rules.leadersPerSite());
        if (leaders != null) {
            out.add(new MeshEvent.LeadersChanged(streamId, site.site, leaders));
            log.debug("{} - leaders of site {} are now {}", streamId, site.site, leaders);
        }
    }

    private List<PeerState> resolve(PeerState peer) {
        List<PeerState> resolved = new ArrayList<>(peer.degree());
        for (String id : peer.neighbours()) {
            PeerState neighbour = peers.get(id);
            if (neighbour != null) {
                resolved.add(neighbour);
            }
        }
        // The neighbour set's iteration order is salted per JVM (Set.of); join order makes the
        // re-matching after a departure the same on every run for a seed (swarmgate simulate).
        resolved.sort(JOIN_ORDER);
        return resolved;
    }
}
