package io.swarmgate.signaling;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every open signaling connection, and the admitted viewers by peer id and by stream and site.
 *
 * <p>Threads: connections are added and removed by the I/O side (open, close); the peer and
 * stream-site indexes are written by the mesh thread only, so a viewer's admission, move and
 * departure happen in the order the mesh thread decided them. Every index is a concurrent map, so
 * relays (I/O threads), the heartbeat sweep and metrics read them without a lock.
 */
final class SessionRegistry {

    private final Set<ViewerSession> connections = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<String, ViewerSession> byPeer = new ConcurrentHashMap<>();
    private final Map<SwarmSite, Set<ViewerSession>> bySwarmSite = new ConcurrentHashMap<>();

    /** One site's viewers of one swarm: who hears that site's {@code leaders}. */
    private record SwarmSite(String streamId, String site) {
    }

    // --- connections (I/O side) --------------------------------------------------------------------

    /** Adds an open connection; returns how many are now open from its address. */
    int opened(ViewerSession s) {
        connections.add(s);
        return perAddress.computeIfAbsent(s.address, a -> new AtomicInteger()).incrementAndGet();
    }

    void closed(ViewerSession s) {
        if (connections.remove(s)) {
            perAddress.computeIfPresent(s.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /** Open connections, including ones that have not said hello yet. */
    int connectionCount() {
        return connections.size();
    }

    /** A weakly consistent view for the heartbeat sweep and shutdown. */
    Iterable<ViewerSession> connections() {
        return connections;
    }

    // --- viewers (mesh thread writes) --------------------------------------------------------------

    ViewerSession byPeer(String peerId) {
        return byPeer.get(peerId);
    }

    /** The session now speaking for {@code s}'s peer id (replacing an earlier connection of it). */
    void register(ViewerSession s) {
        byPeer.put(s.peerId(), s);
    }

    void unregister(ViewerSession s) {
        byPeer.remove(s.peerId(), s);
    }

    /** A weakly consistent view of the admitted viewers. */
    Iterable<ViewerSession> viewers() {
        return byPeer.values();
    }

    /** Adds the viewer to the group of its current stream and site. */
    void enterSwarmSite(ViewerSession s) {
        ViewerSession.Membership m = s.membership();
        bySwarmSite.computeIfAbsent(new SwarmSite(m.streamId(), m.site()), k -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void leaveSwarmSite(ViewerSession s) {
        ViewerSession.Membership m = s.membership();
        bySwarmSite.computeIfPresent(new SwarmSite(m.streamId(), m.site()), (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    /** The viewers of one stream in one site; empty if none. */
    Set<ViewerSession> inSwarmSite(String streamId, String site) {
        Set<ViewerSession> members = bySwarmSite.get(new SwarmSite(streamId, site));
        return members == null ? Set.of() : members;
    }

    /**
     * Viewers connected now by stream id and site; a fresh copy. Cost is one pass over the
     * stream × site groups, not over the viewers.
     */
    Map<String, Map<String, Integer>> countsByStreamAndSite() {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        bySwarmSite.forEach((key, members) -> {
            int n = members.size();
            if (n > 0) {
                out.computeIfAbsent(key.streamId(), k -> new TreeMap<>()).merge(key.site(), n, Integer::sum);
            }
        });
        return out;
    }
}
