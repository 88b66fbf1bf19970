package io.swarmgate.console;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in back-off per account name and per source address.
 *
 * <p>The rule: every sign-in attempt that is evaluated counts as a failure of its account name and
 * of its source address <em>before</em> the password is hashed (a success then clears both). After
 * the n-th failure in a row, with {@code n >= freeFailures}, the name may not be tried again for
 * {@code min(2^(n - freeFailures) s, maxDelay)} and the source for twice that
 * ({@code min(2^(n - freeFailures + 1) s, 2 * maxDelay)}). An attempt during either wait is refused
 * without being evaluated or counted. The source always waits longer than the name it failed on,
 * so a single-address attacker cannot use the moment the name becomes free again: a correct
 * password from any other, unthrottled address gets in then.
 *
 * <p>Names are counted whether or not an account exists, with the same rule, so the back-off
 * reveals nothing about which names exist. Counters live in memory (a restart clears them), are
 * forgotten {@link #FORGET_AFTER} after their last failure, and each map holds at most
 * {@link #MAX_ENTRIES}, dropping the least recently used. IPv6 sources are counted per /64, since
 * one host can use any address of its /64.
 *
 * <p>Thread safety: every method is synchronized; each is a few map operations, never I/O, so
 * checking and reserving an attempt is atomic and parallel guesses cannot share one budget.
 */
public final class LoginThrottle {

    public static final int MAX_ENTRIES = 10_000;
    public static final Duration FORGET_AFTER = Duration.ofHours(24);
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);

    private static final class Counter {
        int failures;
        Instant notBefore = Instant.EPOCH;
        Instant lastFailure = Instant.EPOCH;
    }

    private final int freeFailures;
    private final Duration maxDelay;
    private final Clock clock;
    private final Map<String, Counter> names = lru();
    private final Map<String, Counter> sources = lru();

    public LoginThrottle(int freeFailures, Duration maxDelay, Clock clock) {
        this.freeFailures = freeFailures;
        this.maxDelay = maxDelay;
        this.clock = clock;
    }

    /** How long the name or the source must still wait; zero when an attempt may be evaluated. Counts nothing. */
    public synchronized Duration waitFor(String name, InetAddress source) {
        Instant now = clock.instant();
        return longer(wait(names, name, now), wait(sources, sourceKey(source), now));
    }

    /**
     * Atomically either refuses (returns the wait) or counts this attempt as a failure of the name
     * and the source (returns zero). Call before hashing; {@link #succeeded} undoes it for a
     * correct password.
     */
    public synchronized Duration reserve(String name, InetAddress source) {
        Instant now = clock.instant();
        String sourceKey = sourceKey(source);
        Duration wait = longer(wait(names, name, now), wait(sources, sourceKey, now));
        if (!wait.isZero()) {
            return wait;
        }
        fail(names, name, now, 1);
        fail(sources, sourceKey, now, 2);
        return Duration.ZERO;
    }

    /** A correct password: the name and the source start again from zero. */
    public synchronized void succeeded(String name, InetAddress source) {
        names.remove(name);
        sources.remove(sourceKey(source));
    }

    /** An administrator reset the password: the name's back-off ends. */
    public synchronized void clear(String name) {
        names.remove(name);
    }

    /** Until when the name is refused, if it is now. */
    public synchronized Optional<Instant> throttledUntil(String name) {
        Instant now = clock.instant();
        Counter c = names.get(name);
        return c != null && c.notBefore.isAfter(now) ? Optional.of(c.notBefore) : Optional.empty();
    }

    /** Counters held, for tests of the memory bound. */
    synchronized int size() {
        return names.size() + sources.size();
    }

    /** The delay after the {@code failures}-th failure in a row, for an account name. */
    Duration delayAfter(int failures) {
        if (failures < freeFailures) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - freeFailures, 30);
        Duration d = FIRST_DELAY.multipliedBy(1L << doublings);
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    private Duration wait(Map<String, Counter> map, String key, Instant now) {
        Counter c = map.get(key);
        if (c == null) {
            return Duration.ZERO;
        }
        if (c.lastFailure.plus(FORGET_AFTER).isBefore(now)) {
            map.remove(key);
            return Duration.ZERO;
        }
        return c.notBefore.isAfter(now) ? Duration.between(now, c.notBefore) : Duration.ZERO;
    }

    private void fail(Map<String, Counter> map, String key, Instant now, int factor) {
        Counter c = map.computeIfAbsent(key, k -> new Counter());
        c.failures++;
        c.lastFailure = now;
        c.notBefore = now.plus(delayAfter(c.failures).multipliedBy(factor));
    }

    private static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The address, or its /64 for IPv6. */
    static String sourceKey(InetAddress source) {
        if (source == null) {
            return "unknown";
        }
        if (source instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(source.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return source.getHostAddress();
    }

    private static Map<String, Counter> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
                return size() > MAX_ENTRIES;
            }
        };
    }
}
