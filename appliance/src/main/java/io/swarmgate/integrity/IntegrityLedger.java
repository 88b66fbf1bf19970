package io.swarmgate.integrity;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who sent bytes that failed the appliance's hash, and who is barred for it (docs/security.md,
 * "Offenders"). A report counts once per reporting address: a peer is barred on a stream once
 * viewers at {@code reportsToBar} different addresses (not its own) reported it, so one malicious
 * viewer cannot silence an honest uploader by accusing it. A bar holds for the barred viewer's
 * session and its resume (its membership carries it), and for {@code barFor} for new viewers from
 * the same address on that stream. Everything is bounded: accusations and offenders are kept for
 * the most recent peers only. Written by the signaling mesh thread, read by the API; synchronised.
 */
public final class IntegrityLedger {

    private static final Logger SECURITY = LoggerFactory.getLogger("io.swarmgate.security");
    /** Accused peers remembered across all streams. */
    static final int MAX_ACCUSED = 10_000;
    /** Offenders listed per stream (the most recent). */
    static final int MAX_OFFENDERS_PER_STREAM = 200;
    /** Reporting addresses remembered per accused peer. */
    static final int MAX_REPORTERS = 64;

    /** The outcome of one report. */
    public enum Verdict { NOTED, BARRED, ALREADY_BARRED }

    /**
     * A barred peer, as the API and console show it.
     *
     * @param reporters distinct addresses that reported it
     */
    public record Offender(String peerId, String address, String streamId, String site, int reporters,
                           Instant barredAt) {
    }

    /** Per stream and site: integrity reports received and peers barred, since start. */
    public record SiteCounts(long reports, long barred) {
    }

    private record Key(String streamId, String peerId) {
    }

    private record AddressKey(String streamId, InetAddress address) {
    }

    private static final class Accusation {
        final Set<InetAddress> reporters = new HashSet<>();
        boolean barred;
    }

    private final int reportsToBar;
    private final Duration barFor;
    private final Clock clock;
    private final Map<Key, Accusation> accused = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Accusation> eldest) {
            return size() > MAX_ACCUSED;
        }
    };
    private final Map<AddressKey, Instant> barredAddresses = new LinkedHashMap<>();
    private final Map<String, Deque<Offender>> offenders = new TreeMap<>();
    private final Map<String, Map<String, long[]>> counts = new TreeMap<>();

    public IntegrityLedger(int reportsToBar, Duration barFor, Clock clock) {
        if (reportsToBar < 1) {
            throw new IllegalArgumentException("reportsToBar must be at least 1");
        }
        this.reportsToBar = reportsToBar;
        this.barFor = barFor;
        this.clock = clock;
    }

    /**
     * A viewer at {@code reporter} says bytes from {@code peerId} (at {@code address}, in
     * {@code site} of {@code streamId}) failed the appliance's hash.
     */
    public synchronized Verdict report(String streamId, String site, String peerId, InetAddress address,
                                       InetAddress reporter) {
        long[] c = counts.computeIfAbsent(streamId, s -> new TreeMap<>()).computeIfAbsent(site, s -> new long[2]);
        c[0]++;
        Accusation a = accused.computeIfAbsent(new Key(streamId, peerId), k -> new Accusation());
        if (a.barred) {
            return Verdict.ALREADY_BARRED;
        }
        if (!reporter.equals(address) && a.reporters.size() < MAX_REPORTERS) {
            a.reporters.add(reporter);
        }
        SECURITY.warn("integrity - {} reported peer {} at {} (stream {}, site {}): its bytes failed the appliance's"
                + " hash; {} of {} reporting addresses needed to bar it", reporter.getHostAddress(), peerId,
                address.getHostAddress(), streamId, site, a.reporters.size(), reportsToBar);
        if (a.reporters.size() < reportsToBar) {
            return Verdict.NOTED;
        }
        a.barred = true;
        c[1]++;
        Instant now = clock.instant();
        Deque<Offender> list = offenders.computeIfAbsent(streamId, s -> new ArrayDeque<>());
        list.addFirst(new Offender(peerId, address.getHostAddress(), streamId, site, a.reporters.size(), now));
        while (list.size() > MAX_OFFENDERS_PER_STREAM) {
            list.removeLast();
        }
        if (!barFor.isZero()) {
            barredAddresses.put(new AddressKey(streamId, address), now.plus(barFor));
        }
        SECURITY.warn("integrity - peer {} at {} barred from exchanging segments on stream {} (site {}) after reports"
                + " from {} addresses", peerId, address.getHostAddress(), streamId, site, a.reporters.size());
        return Verdict.BARRED;
    }

    /** Whether a new viewer from {@code address} joins {@code streamId} barred. */
    public synchronized boolean barred(String streamId, InetAddress address) {
        if (barredAddresses.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        barredAddresses.values().removeIf(until -> !now.isBefore(until));
        return barredAddresses.containsKey(new AddressKey(streamId, address));
    }

    /** Barred peers of a stream, most recent first. */
    public synchronized List<Offender> offenders(String streamId) {
        Deque<Offender> list = offenders.get(streamId);
        return list == null ? List.of() : List.copyOf(list);
    }

    /** Reports and bars of a stream by site. */
    public synchronized Map<String, SiteCounts> counts(String streamId) {
        Map<String, SiteCounts> out = new TreeMap<>();
        counts.getOrDefault(streamId, Map.of()).forEach((site, c) -> out.put(site, new SiteCounts(c[0], c[1])));
        return out;
    }

    /** Integrity reports received on every stream since start. */
    public synchronized long totalReports() {
        long n = 0;
        for (Map<String, long[]> bySite : counts.values()) {
            for (long[] c : bySite.values()) {
                n += c[0];
            }
        }
        return n;
    }

    /** Peers barred on every stream since start. */
    public synchronized long totalBarred() {
        long n = 0;
        for (Map<String, long[]> bySite : counts.values()) {
            for (long[] c : bySite.values()) {
                n += c[1];
            }
        }
        return n;
    }

    /** Streams that have reports, for the API's overview. */
    public synchronized List<String> streams() {
        return new ArrayList<>(counts.keySet());
    }
}
