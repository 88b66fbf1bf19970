package io.swarmgate.signaling;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who said a peer's transfers stall ({@code failing} {@code timeout}: the SDK sends it for a
 * neighbour whose transfers went silent or crawled to their deadline twice in a row). One report
 * separates the pair, as every {@code failing} does; reports from {@link #TO_STOP_LEADING}
 * addresses also stop the peer from leading its site, because its colleagues there wait for
 * their leaders' copies of new segments: a leader that holds transfers without finishing them
 * (an overloaded desktop, a throttled Wi-Fi, or a colleague dripping bytes on purpose) would
 * cost its whole site a wait for every segment it fetches, and keeping it as the leader of a
 * site whose members were all separated from it would leave each of its segments to the backup.
 *
 * <p>Addresses, not peers, count, as for integrity reports: several sessions from one desktop
 * speak with one voice. Confined to the mesh thread. Bounded: the {@link #MAX_PEERS} peers reported
 * last are remembered, each with at most {@link #TO_STOP_LEADING} addresses.
 */
final class StallReports {

    /** Reporting addresses after which a peer no longer leads. */
    static final int TO_STOP_LEADING = 2;
    /** Reported peers remembered; the longest unreported go first. */
    static final int MAX_PEERS = 4096;

    private final Map<String, Set<InetAddress>> reporters = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<InetAddress>> eldest) {
            return size() > MAX_PEERS;
        }
    };

    /**
     * Records that {@code reporter} said {@code peerId}'s transfers stall.
     *
     * @return true exactly once per peer: when this report brings it to {@link #TO_STOP_LEADING}
     *         addresses
     */
    boolean report(String peerId, InetAddress reporter) {
        Set<InetAddress> from = reporters.computeIfAbsent(peerId, k -> new HashSet<>());
        if (from.size() >= TO_STOP_LEADING) {
            return false;
        }
        return from.add(reporter) && from.size() == TO_STOP_LEADING;
    }

    /** Addresses that reported {@code peerId}, for tests and logs. */
    int reporters(String peerId) {
        Set<InetAddress> from = reporters.get(peerId);
        return from == null ? 0 : from.size();
    }
}
