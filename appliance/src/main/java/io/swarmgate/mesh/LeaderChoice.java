package io.swarmgate.mesh;

import java.util.List;
import java.util.Optional;

/**
 * Which site leader fetches one segment over HTTP: {@link #primary()} does, {@link #backup()}
 * steps in when the primary is late. {@code ranking} is the full rendezvous order of
 * {@link SegmentLeaders#rank}, never empty.
 */
public record LeaderChoice(List<String> ranking) {
    public LeaderChoice {
        ranking = List.copyOf(ranking);
        if (ranking.isEmpty()) {
            throw new IllegalArgumentException("a leader choice needs at least one leader");
        }
    }

    public String primary() {
        return ranking.get(0);
    }

    /** The second in rank, absent when the site has a single leader. */
    public Optional<String> backup() {
        return ranking.size() > 1 ? Optional.of(ranking.get(1)) : Optional.empty();
    }
}
