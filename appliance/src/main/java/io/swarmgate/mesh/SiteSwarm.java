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

    /** Leader preference: highest upload capacity, then earliest joined. */
    static final Comparator<PeerState> LEADER_ORDER = Comparator
            .comparingLong((PeerState p) -> p.info.uploadCapacityKbps()).reversed()
            .thenComparingLong(p -> p.joinSeq);

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
        if (peer.leaderEligible) {
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
