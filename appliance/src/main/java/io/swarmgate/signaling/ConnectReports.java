package io.swarmgate.signaling;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which viewers reach none of their neighbours: pairings with viewers at {@link #TO_STOP_LEADING}
 * other addresses failed to connect ({@code failing} {@code connect}, from either side of the pair),
 * and the viewer's own last {@code report} said it has no channel open. Such a viewer is usually a
 * desktop whose endpoint firewall blocks WebRTC: it plays over HTTP, and while it leads its site
 * every segment it is primary for waits for the backup, because no colleague can take its copy.
 * It stops leading until a report says a channel is open again.
 *
 * <p>Both facts are needed, so neither a colleague's word nor the viewer's alone moves it: a
 * colleague reporting {@code connect} could be lying, or be the one behind the firewall; a viewer
 * with nothing open may simply have no colleague yet. In a site whose subnets cannot reach each
 * other over UDP every viewer sees pairings fail, but keeps channels open to colleagues on its own
 * subnet, and leads on. A viewer can only talk itself out of leading, never another into it.
 *
 * <p>Addresses count, not peers: several sessions from one desktop speak with one voice, and a
 * pairing with a session at the viewer's own address does not count. Confined to the mesh thread.
 * Bounded: the {@link #MAX_PEERS} peers heard of last are remembered, each with at most
 * {@link #TO_STOP_LEADING} addresses.
 */
final class ConnectReports {

    /** Other addresses whose pairings with a viewer failed to connect, after which it may stop leading. */
    static final int TO_STOP_LEADING = 2;
    /** Viewers remembered; the longest not heard of go first. */
    static final int MAX_PEERS = 4096;

    /** What the appliance does about a viewer after a fact: stop its leading, let it lead again, or nothing. */
    enum Change { STOP_LEADING, MAY_LEAD, NONE }

    private static final class Reach {
        final Set<InetAddress> failedWith = new HashSet<>();
        /** Its last report said no channel is open. */
        boolean noneOpen;
        /** It was stopped from leading and has not reported an open channel since. */
        boolean stopped;
    }

    private final Map<String, Reach> peers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Reach> eldest) {
            return size() > MAX_PEERS;
        }
    };

    /**
     * A pairing of {@code peerId} (at {@code own}) with a viewer at {@code other} failed to connect.
     */
    Change connectFailed(String peerId, InetAddress own, InetAddress other) {
        Reach r = peers.computeIfAbsent(peerId, k -> new Reach());
        if (!other.equals(own) && r.failedWith.size() < TO_STOP_LEADING) {
            r.failedWith.add(other);
        }
        return judge(r);
    }

    /** {@code peerId}'s report said whether it has a channel open. */
    Change reported(String peerId, boolean anyOpen) {
        Reach r = anyOpen ? peers.get(peerId) : peers.computeIfAbsent(peerId, k -> new Reach());
        if (r == null) {
            return Change.NONE;
        }
        r.noneOpen = !anyOpen;
        if (!anyOpen) {
            return judge(r);
        }
        // A channel opened: the failures so far are the past (a firewall rule lifted, colleagues
        // that could not be reached left); two new ones are needed to stop it again.
        r.failedWith.clear();
        boolean was = r.stopped;
        r.stopped = false;
        return was ? Change.MAY_LEAD : Change.NONE;
    }

    private static Change judge(Reach r) {
        if (r.stopped || !r.noneOpen || r.failedWith.size() < TO_STOP_LEADING) {
            return Change.NONE;
        }
        r.stopped = true;
        return Change.STOP_LEADING;
    }

    /** Other addresses whose pairings with {@code peerId} failed to connect, for tests and logs. */
    int failedWith(String peerId) {
        Reach r = peers.get(peerId);
        return r == null ? 0 : r.failedWith.size();
    }
}
