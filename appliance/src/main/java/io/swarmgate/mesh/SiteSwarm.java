package io.swarmgate.mesh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The viewers of one stream in one site: the matching pools, the site's leaders and each rendition's
 * ({@link LeaderSet}). Confined to the coordinator's owning thread, except {@link #leaders()} which
 * is a volatile immutable snapshot.
 */
final class SiteSwarm {

    /**
     * Leader preference, on what the appliance observed rather than what a viewer claims: wired
     * before an unknown link before Wi-Fi, then the longest connected. The upload capacity a viewer
     * states is its own word (anyone could claim 10 Gb/s), so it plays no part; peers reported for
     * integrity, or for stalling transfers, are not candidates at all ({@link #standDown}).
     */
    static final Comparator<PeerState> LEADER_ORDER = Comparator
            .comparingInt((PeerState p) -> networkRank(p.info.networkType()))
            .thenComparingLong(p -> p.joinSeq);

    private static int networkRank(NetworkType type) {
        return switch (type) {
            case ETHERNET -> 0;
            case UNKNOWN -> 1;
            case WIFI -> 2;
            case CELLULAR -> 3;
        };
    }

    final String site;
    /** Uploaders that are matchable and below the neighbour cap: candidate sources for anyone. */
    final PeerPool sources = new PeerPool(PeerPool.Kind.SOURCES);
    /** Matchable viewers below the target degree: uploaders with spare slots adopt them. */
    final PeerPool hungry = new PeerPool(PeerPool.Kind.HUNGRY);
    /** Matchable uploaders at the cap: a peer left short may take one of their slots. */
    final PeerPool saturated = new PeerPool(PeerPool.Kind.SATURATED);

    /**
     * Renditions one site may keep leaders for: a ladder rarely has more than eight, with audio.
     * Beyond it a rendition's viewers follow the site's leaders, as an older SDK's do.
     */
    static final int MAX_TRACKS = 16;

    private int members;
    private final LeaderSet leaders = new LeaderSet();
    private final Map<String, LeaderSet> tracks = new HashMap<>();
    private volatile SiteLeaders snapshot = SiteLeaders.NONE;
    /** A rendition whose list viewers were told lost its last viewer: the next snapshot drops it. */
    private boolean droppedListed;

    SiteSwarm(String site) {
        this.site = site;
    }

    void add(PeerState peer) {
        members++;
        leaders.add(peer); // a viewer joins playing nothing yet: it tells its renditions later
    }

    void remove(PeerState peer) {
        members--;
        leaders.remove(peer);
        leaveTracks(peer, List.of());
        sources.remove(peer);
        hungry.remove(peer);
        saturated.remove(peer);
    }

    /**
     * The renditions the viewer says it plays now: it leaves the sets of those it no longer plays
     * and joins the others', a new rendition's only while the site has fewer than
     * {@link #MAX_TRACKS}. Returns what it was counted in.
     */
    List<String> retrack(PeerState peer, List<String> now) {
        leaveTracks(peer, now);
        List<String> kept = new ArrayList<>(now.size());
        for (String track : now) {
            LeaderSet set = tracks.get(track);
            if (set == null && tracks.size() < MAX_TRACKS) {
                set = new LeaderSet();
                tracks.put(track, set);
            }
            if (set != null) {
                if (!peer.tracks().contains(track)) {
                    set.add(peer);
                }
                kept.add(track);
            }
        }
        return List.copyOf(kept);
    }

    private void leaveTracks(PeerState peer, List<String> staying) {
        for (String track : peer.tracks()) {
            if (!staying.contains(track)) {
                LeaderSet set = tracks.get(track);
                set.remove(peer);
                if (set.isEmpty()) {
                    tracks.remove(track);
                    droppedListed |= !set.ids().isEmpty();
                }
            }
        }
    }

    /**
     * Takes a peer out of the leaders and their candidates, the site's and its renditions': while
     * its socket is down (a viewer the appliance cannot reach may be gone for good: a closed laptop
     * sends no {@code bye}), for good once neighbours reported its bytes or its stalls, or while it
     * reaches no neighbour. While it is listed, every segment it is primary for waits for the backup.
     */
    void standDown(PeerState peer) {
        leaders.standDown(peer);
        for (String track : peer.tracks()) {
            tracks.get(track).standDown(peer);
        }
    }

    /**
     * A peer that may lead again ({@link PeerState#mayLead}: resumed, or reaching neighbours again)
     * is a candidate again; leaders are sticky, so it leads only where one is missing.
     */
    void reinstate(PeerState peer) {
        leaders.reinstate(peer);
        for (String track : peer.tracks()) {
            tracks.get(track).reinstate(peer);
        }
    }

    boolean isEmpty() {
        return members == 0;
    }

    /**
     * Tops each leader set up to {@code wanted} (the site's and every rendition's), or trims it
     * ({@link LeaderSet#reelect}: leaders are sticky). Cost O(wanted · log n) per set.
     *
     * @return the site's leaders when any set changed (a rendition's set dropped with its last
     *         viewer included), else {@code null}
     */
    SiteLeaders reelect(int wanted) {
        boolean changed = leaders.reelect(wanted) | droppedListed;
        for (LeaderSet set : tracks.values()) {
            changed |= set.reelect(wanted);
        }
        if (!changed) {
            return null;
        }
        droppedListed = false;
        Map<String, List<String>> byTrack = new HashMap<>(tracks.size() * 2);
        tracks.forEach((track, set) -> byTrack.put(track, set.ids()));
        snapshot = new SiteLeaders(leaders.ids(), byTrack);
        return snapshot;
    }

    /** The current leaders; safe from any thread. */
    SiteLeaders leaders() {
        return snapshot;
    }
}
