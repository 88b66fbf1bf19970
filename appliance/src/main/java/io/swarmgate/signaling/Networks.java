package io.swarmgate.signaling;

import io.swarmgate.mesh.IpLiteral;
import io.swarmgate.mesh.SiteMap;
import io.swarmgate.mesh.SiteRange;
import java.net.InetAddress;
import java.util.List;

/**
 * A fixed set of networks with a membership test; backed by the mesh's longest-prefix trie, so a
 * lookup costs the same whatever the number of networks.
 */
final class Networks {

    private static final String MEMBER = "member";
    private final SiteMap map;
    private final boolean empty;

    Networks(List<String> cidrs) {
        this.map = SiteMap.of(cidrs.stream().map(c -> new SiteRange(c, MEMBER, "")).toList());
        this.empty = cidrs.isEmpty();
    }

    boolean contains(InetAddress address) {
        return !empty && !map.resolve(address).automatic();
    }

    /** For an IP literal from the wire; false for anything that is not one. */
    boolean containsLiteral(String literal) {
        try {
            return contains(IpLiteral.toInetAddress(literal));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
