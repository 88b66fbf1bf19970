package io.swarmgate.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One set of leaders and the candidates it is topped up from: a site's, or one rendition's within
 * a site ({@link SiteSwarm}). Confined to the coordinator's owning thread.
 */
final class LeaderSet {

    private final TreeSet<PeerState> candidates = new TreeSet<>(SiteSwarm.LEADER_ORDER);
    private final List<PeerState> leaders = new ArrayList<>();
    private List<String> ids = List.of();
    /** Viewers counted in, candidates or not: a rendition's set is dropped when it has none. */
    private int members;

    void add(PeerState peer) {
        members++;
        reinstate(peer);
    }

    void remove(PeerState peer) {
        members--;
        standDown(peer);
    }

    /** Out of the leaders and the candidates; {@link #add}'s count stays. */
    void standDown(PeerState peer) {
        candidates.remove(peer);
        leaders.remove(peer);
    }

    /** A candidate again when it may lead; leaders are sticky, so it leads only where one is missing. */
    void reinstate(PeerState peer) {
        if (peer.mayLead()) {
            candidates.add(peer);
        }
    }

    boolean isEmpty() {
        return members == 0;
    }

    /**
     * Tops the leaders up to {@code wanted} from the best candidates, or trims them. Leaders are
     * sticky: a better uploader joining does not unseat one, because every change of leaders moves
     * segments between them and costs the site duplicate HTTP fetches. Cost O(wanted · log n).
     *
     * @return whether the ids changed (also when a leader was removed and nobody could replace it)
     */
    boolean reelect(int wanted) {
        while (leaders.size() > wanted) {
            leaders.sort(SiteSwarm.LEADER_ORDER);
            leaders.remove(leaders.size() - 1);
        }
        for (PeerState candidate : candidates) {
            if (leaders.size() >= wanted) {
                break;
            }
            if (!leaders.contains(candidate)) {
                leaders.add(candidate);
            }
        }
        List<String> now = leaders.stream().map(p -> p.id).sorted().toList();
        if (now.equals(ids)) {
            return false;
        }
        ids = now;
        return true;
    }

    /** The leaders sorted by peer id. */
    List<String> ids() {
        return ids;
    }
}
