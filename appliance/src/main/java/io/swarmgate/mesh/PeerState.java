package io.swarmgate.mesh;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's record of one viewer. Everything is confined to the coordinator's owning
 * thread except the neighbour set, which is copy-on-write behind a volatile reference so that the
 * relay check ({@link Coordinator#isNeighbour}) on every {@code signal} reads it from any thread. Neighbour sets hold at
 * most {@link SwarmRules#MAX_DEGREE_LIMIT} ids, so copying on change is cheap.
 */
final class PeerState {

    final PeerInfo info;
    final String id;
    final StreamMesh stream;
    /** Appliance-wide join order; breaks leader ties (earliest first) and never repeats. */
    final long joinSeq;
    final P2pMode mode;
    /** Serves segments to neighbours: P2P on, the SDK offers it, and its network allowed ({@link SwarmRules#uploads}). */
    final boolean uploader;
    /** May be a site leader: an uploader, and never on cellular whatever the policy. */
    final boolean leaderEligible;

    /** Reported for bytes that failed the appliance's hash, or for stalling transfers: never a leader again. */
    boolean distrusted;
    /**
     * Reaches no neighbour (no channel open, pairings failing to connect): not a leader until it does.
     * Written by the owning thread; volatile for {@link Coordinator#reachesNobody} from any thread.
     */
    volatile boolean unreachable;
    /** Epoch millis until which it is given no new neighbours ({@link StreamMesh#fail}), or -1. */
    long pairingPausedUntil = -1;
    /** Pauses of its pairing since it last reached a neighbour; each one is twice as long as the last. */
    int pairingPauses;

    /** The renditions it said it plays and its site counts it in ({@link SiteSwarm#retrack}). */
    private List<String> tracks = List.of();
    private volatile Set<String> neighbours = Set.of();
    private Map<String, Long> blockedUntil;
    /** Epoch millis until which a dropped viewer is held, or -1 while connected. */
    long suspendedUntil = -1;
    /** Set once when the viewer leaves or expires, so late calls holding this object do nothing. */
    boolean gone;
    /** Positions in the site's pools, maintained by {@link PeerPool}; -1 when not a member. */
    int sourceSlot = -1;
    int hungrySlot = -1;
    int saturatedSlot = -1;

    PeerState(PeerInfo info, StreamMesh stream, long joinSeq, SwarmRules rules) {
        this.info = info;
        this.id = info.peerId();
        this.stream = stream;
        this.joinSeq = joinSeq;
        this.mode = rules.modeFor(info.site());
        boolean cellular = info.networkType() == NetworkType.CELLULAR;
        this.uploader = rules.uploads(mode, info.canUpload(), info.networkType());
        this.leaderEligible = uploader && !cellular;
    }

    /** The swarm key: the site, or its part on the viewer's link ({@link PeerInfo#swarm()}). */
    String site() {
        return info.swarm();
    }

    /** May be among its site's leaders now: eligible, trusted, reachable and connected. */
    boolean mayLead() {
        return leaderEligible && !distrusted && !unreachable && suspendedUntil < 0;
    }

    /**
     * Reaches no neighbour and has paused its pairing before: it is given one neighbour at a time,
     * enough to learn whether it reaches anyone again ({@link Matchmaker}).
     */
    boolean probing() {
        return unreachable && pairingPauses > 0;
    }

    /** Connected, in a site where P2P is not off, and not pausing: may be given new neighbours. */
    boolean matchable() {
        return mode != P2pMode.OFF && suspendedUntil < 0 && pairingPausedUntil < 0 && !gone;
    }

    List<String> tracks() {
        return tracks;
    }

    void tracks(List<String> now) {
        tracks = now;
    }

    int degree() {
        return neighbours.size();
    }

    Set<String> neighbours() {
        return neighbours;
    }

    boolean hasNeighbour(String peerId) {
        return neighbours.contains(peerId);
    }

    void addNeighbour(String peerId) {
        Set<String> current = neighbours;
        String[] ids = current.toArray(new String[current.size() + 1]);
        ids[current.size()] = peerId;
        neighbours = Set.of(ids);
    }

    void removeNeighbour(String peerId) {
        Set<String> current = neighbours;
        if (!current.contains(peerId)) {
            return;
        }
        String[] ids = new String[current.size() - 1];
        int i = 0;
        for (String id : current) {
            if (!id.equals(peerId)) {
                ids[i++] = id;
            }
        }
        neighbours = Set.of(ids);
    }

    /** Refuse pairing with {@code peerId} until {@code until}; expired entries are pruned here. */
    void block(String peerId, long until, long now) {
        if (blockedUntil == null) {
            blockedUntil = new HashMap<>(4);
        }
        blockedUntil.values().removeIf(t -> t <= now);
        blockedUntil.put(peerId, until);
    }

    boolean blocks(String peerId, long now) {
        if (blockedUntil == null) {
            return false;
        }
        Long until = blockedUntil.get(peerId);
        return until != null && until > now;
    }

    @Override
    public String toString() {
        return id;
    }
}
