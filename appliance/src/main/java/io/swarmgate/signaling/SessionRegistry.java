package io.swarmgate.signaling;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

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
    private final Map<Prefix64, AtomicInteger> perPrefix64 = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, ViewerSession> byPeer = new ConcurrentHashMap<>();
    private final Map<SwarmSite, Set<ViewerSession>> bySwarmSite = new ConcurrentHashMap<>();

    /**
     * The viewers the coordinator matches together in one stream: a site, or part of one for
     * mDNS-only viewers ({@link ViewerSession.Membership#swarmOf}); who hears that group's {@code leaders}.
     */
    private record SwarmSite(String streamId, String swarm) {
    }

    // --- connections (I/O side) --------------------------------------------------------------------

    /**
     * Open connections counted the ways the limits count them, including the one just opened.
     *
     * @param fromIpv6Prefix connections from the same IPv6 /64; 0 for IPv4 clients
     */
    record OpenCounts(int total, int fromAddress, int fromIpv6Prefix) {
    }

    /** The first 64 bits of an IPv6 address: one LAN segment, which one host may fill with addresses. */
    private record Prefix64(long bits) {
        static Prefix64 of(InetAddress address) {
            // IPv4-mapped addresses arrive as Inet4Address (InetAddress folds them), so they count per address only.
            if (!(address instanceof Inet6Address)) {
                return null;
            }
            byte[] b = Arrays.copyOf(address.getAddress(), 8);
            long bits = 0;
            for (byte x : b) {
                bits = (bits << 8) | (x & 0xff);
            }
            return new Prefix64(bits);
        }
    }

    /** Adds an open connection; returns how many are now open, in total, from its address and its /64. */
    OpenCounts opened(ViewerSession s) {
        connections.add(s);
        int all = total.incrementAndGet();
        int fromAddress = perAddress.computeIfAbsent(s.address, a -> new AtomicInteger()).incrementAndGet();
        Prefix64 prefix = Prefix64.of(s.address);
        int fromPrefix = prefix == null ? 0 : perPrefix64.computeIfAbsent(prefix, p -> new AtomicInteger())
                .incrementAndGet();
        return new OpenCounts(all, fromAddress, fromPrefix);
    }

    void closed(ViewerSession s) {
        if (connections.remove(s)) {
            total.decrementAndGet();
            perAddress.computeIfPresent(s.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            Prefix64 prefix = Prefix64.of(s.address);
            if (prefix != null) {
                perPrefix64.computeIfPresent(prefix, (p, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
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

    /**
     * Closes every connection with 1001 (the appliance is stopping), after sending each
     * {@code farewell} when there is one. Returns how many were closed.
     */
    int shutDownAll(ServerMessage farewell, String reason) {
        int closed = 0;
        for (ViewerSession s : connections()) {
            if (farewell != null) {
                s.send(farewell);
            }
            s.close(CloseCodes.SHUTDOWN, reason);
            closed++;
        }
        return closed;
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
        bySwarmSite.computeIfAbsent(new SwarmSite(m.streamId(), m.swarm()), k -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void leaveSwarmSite(ViewerSession s) {
        ViewerSession.Membership m = s.membership();
        bySwarmSite.computeIfPresent(new SwarmSite(m.streamId(), m.swarm()), (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    /** The viewers of one stream in one swarm (a site, or its part on one link); empty if none. */
    Set<ViewerSession> inSwarmSite(String streamId, String swarm) {
        Set<ViewerSession> members = bySwarmSite.get(new SwarmSite(streamId, swarm));
        return members == null ? Set.of() : members;
    }

    /**
     * Viewers connected now by stream id and site; a fresh copy. Cost is one pass over the
     * stream × site groups, not over the viewers.
     */
    Map<String, Map<String, Integer>> countsByStreamAndSite() {
        return countGroups(Set::size);
    }

    /**
     * Of the viewers connected now, those {@code which} picks, by stream id and site (only groups
     * with one); one pass over the viewers.
     */
    Map<String, Map<String, Integer>> countsByStreamAndSite(Predicate<ViewerSession> which) {
        return countGroups(members -> (int) members.stream().filter(which).count());
    }

    /** {@code count} of each stream × site group, by stream id and site (groups counted 0 left out). */
    private Map<String, Map<String, Integer>> countGroups(ToIntFunction<Set<ViewerSession>> count) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        bySwarmSite.forEach((key, members) -> {
            int n = count.applyAsInt(members);
            if (n > 0) {
                out.computeIfAbsent(key.streamId(), k -> new TreeMap<>())
                        .merge(ViewerSession.Membership.siteOfSwarm(key.swarm()), n, Integer::sum);
            }
        });
        return out;
    }
}
