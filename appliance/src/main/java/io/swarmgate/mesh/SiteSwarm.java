package io.swarmgate.mesh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The viewers of one stream in one site: the matching pools and the site leaders. Confined to the
 * coordinator's owning thread, except {@link #leaderIds()} which is a volatile immutable snapshot.
 */
final class SiteSwarm {

    /**
     * Leader preference, on what the appliance observed rather than what a viewer claims: wired
     * before an unknown link before Wi-Fi, then the longest connected. The upload capacity a viewer
     * states is its own word (anyone could claim 10 Gb/s), so it plays no part; peers reported for
     * integrity, or for stalling transfers, are not candidates at all ({@link #distrust}).
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

    private int members;
    private final TreeSet<PeerState> leaderCandidates = new TreeSet<>(LEADER_ORDER);
    private final List<PeerState> leaders = new ArrayList<>();
    private volatile List<String> leaderIds = List.of();

    SiteSwarm(String site) {
        this.site = site;
    }

    void add(PeerState peer) {
        members++;
        if (peer.mayLead()) {
            leaderCandidates.add(peer);
        }
    }

    void remove(PeerState peer) {
        members--;
        leaderCandidates.remove(peer);
        leaders.remove(peer);
        sources.remove(peer);
        hungry.remove(peer);
        saturated.remove(peer);
    }

    /**
     * Takes a peer out of the leaders and their candidates: while its socket is down (a viewer the
     * appliance cannot reach may be gone for good: a closed laptop sends no {@code bye}), for good
     * once neighbours reported its bytes or its stalls, or while it reaches no neighbour. While it
     * is listed, every segment it is primary for waits for the backup.
     */
    void standDown(PeerState peer) {
        leaderCandidates.remove(peer);
        leaders.remove(peer);
    }

    /**
     * A peer that may lead again ({@link PeerState#mayLead}: resumed, or reaching neighbours again)
     * is a candidate again; leaders are sticky, so it leads only where one is missing.
     */
    void reinstate(PeerState peer) {
        if (peer.mayLead()) {
            leaderCandidates.add(peer);
        }
    }

    boolean isEmpty() {
        return members == 0;
    }

    /**
     * Tops the leader set up to {@code wanted} from the best candidates, or trims it. Leaders are
     * sticky: a better uploader joining does not unseat one, because every change of leaders moves
     * segments between them and costs the site duplicate HTTP fetches. Cost O(wanted · log n).
     *
     * @return the new leader ids sorted by peer id when they changed (also when a leader was
     *         removed and nobody could replace it), else {@code null}
     */
    List<String> reelect(int wanted) {
        while (leaders.size() > wanted) {
            leaders.sort(LEADER_ORDER);
            leaders.remove(leaders.size() - 1);
        }
        for (PeerState candidate : leaderCandidates) {
            if (leaders.size() >= wanted) {
                break;
            }
            if (!leaders.contains(candidate)) {
                leaders.add(candidate);
            }
        }
        List<String> ids = leaders.stream().map(p -> p.id).sorted().toList();
        if (ids.equals(leaderIds)) {
            return null;
        }
        leaderIds = ids;
        return ids;
    }

    /** Current leaders sorted by peer id; safe from any thread. */
    List<String> leaderIds() {
        return leaderIds;
    }
}
