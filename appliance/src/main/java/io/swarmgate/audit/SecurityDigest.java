package io.swarmgate.audit;

import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events that anyone on the network can cause in any number — refused viewers,
 * integrity offenders, sign-ins refused during back-off — are counted here and recorded once
 * per minute per kind, source address, target and reason, with the count and the first and last
 * time. At most {@link #MAX_KEYS_PER_MINUTE} such entries are written per minute; events beyond
 * that are summed into one {@code security.flood} entry, so a flood from many addresses costs
 * a bounded number of rows. Safe on any thread: counting is a short synchronized map update.
 */
public final class SecurityDigest implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityDigest.class);
    public static final int MAX_KEYS_PER_MINUTE = 200;
    /** Distinct addresses remembered for the flood summary; beyond it the count is a lower bound. */
    static final int MAX_FLOOD_SOURCES = 10_000;

    private record Key(String action, String source, String target, String reason) {
    }

    private static final class Count {
        long events;
        Instant first;
        Instant last;
    }

    private final AuditLog log;
    private final Clock clock;
    private Map<Key, Count> minute = new LinkedHashMap<>();
    private long floodEvents;
    private Set<String> floodSources = new HashSet<>();
    private ScheduledExecutorService timer;

    public SecurityDigest(AuditLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /**
     * Counts one event.
     *
     * @param action the entry's action, such as {@code signaling.refused}
     * @param source the address that caused it
     * @param target what it was about (a stream, a username), or null
     * @param reason a short code (the refusal's error code), or null
     */
    public synchronized void count(String action, InetAddress source, String target, String reason) {
        Instant now = clock.instant();
        String address = Actor.address(source);
        Key key = new Key(action, address, target, reason);
        Count c = minute.get(key);
        if (c == null) {
            if (minute.size() >= MAX_KEYS_PER_MINUTE) {
                floodEvents++;
                if (floodSources.size() < MAX_FLOOD_SOURCES && address != null) {
                    floodSources.add(address);
                }
                return;
            }
            c = new Count();
            c.first = now;
            minute.put(key, c);
        }
        c.events++;
        c.last = now;
    }

    /** Records every minute, on a timer thread of its own. */
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-security-digest");
            t.setDaemon(true);
            return t;
        });
        long period = Duration.ofMinutes(1).toMillis();
        timer.scheduleAtFixedRate(this::flushQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("audit - cannot record the minute's security events: {}", e.getMessage());
        }
    }

    /** Records what was counted since the last flush, in one transaction, and starts over. */
    public void flush() throws SQLException {
        Map<Key, Count> counted;
        long flood;
        int floodAddresses;
        synchronized (this) {
            counted = minute;
            flood = floodEvents;
            floodAddresses = floodSources.size();
            minute = new LinkedHashMap<>();
            floodEvents = 0;
            floodSources = new HashSet<>();
        }
        if (counted.isEmpty() && flood == 0) {
            return;
        }
        log.transaction(c -> {
            for (Map.Entry<Key, Count> e : counted.entrySet()) {
                Key k = e.getKey();
                log.append(c, new AuditEvent(new Actor(Actor.SYSTEM.name(), k.source()), k.action(), k.target(),
                        Outcome.DENIED, Map.of()).with("reason", k.reason()).with("count", e.getValue().events)
                        .with("firstAt", Canonical.time(e.getValue().first))
                        .with("lastAt", Canonical.time(e.getValue().last)));
            }
            if (flood > 0) {
                log.append(c, AuditEvent.of(Actor.SYSTEM, "security.flood", null, Outcome.DENIED)
                        .with("events", flood).with("sources", floodAddresses)
                        .with("note", "more than " + MAX_KEYS_PER_MINUTE + " kinds of security event in one minute;"
                                + " these were only counted"));
            }
            return null;
        });
    }

    /** Stops the timer and records what is still counted. */
    @Override
    public void close() {
        synchronized (this) {
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
            }
        }
        flushQuietly();
    }
}
