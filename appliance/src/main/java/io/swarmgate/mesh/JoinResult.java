package io.swarmgate.mesh;

import java.util.List;

/**
 * Outcome of {@link Coordinator#join}: the same assignments are also sent to the listener, this
 * copy lets the signaling layer put them into its {@code welcome} reply.
 *
 * @param peerId   the joiner
 * @param site     its site
 * @param mode     the P2P mode in force for that site ({@link P2pMode#OFF}: no neighbours, ever)
 * @param uploader whether the coordinator uses this viewer as a source (after policy and network type)
 * @param pairings the new pairs, each involving the joiner, with who offers
 * @param leaders  the site's leaders after the join, sorted by peer id
 */
public record JoinResult(String peerId, String site, P2pMode mode, boolean uploader, List<Pairing> pairings,
                         List<String> leaders) {
    public JoinResult {
        pairings = List.copyOf(pairings);
        leaders = List.copyOf(leaders);
    }

    /** The joiner's new neighbours, in assignment order. */
    public List<String> neighbourIds() {
        return pairings.stream().map(p -> p.other(peerId)).toList();
    }
}
