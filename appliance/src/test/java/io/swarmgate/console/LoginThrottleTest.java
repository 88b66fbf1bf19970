package io.swarmgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-12-01T10:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(5), clock);

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    @Test
    void parallelReservationsNeverGetMoreThanTheFreeFailures() throws Exception {
        int threads = 32;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger reserved = new AtomicInteger();
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            InetAddress source = ip("10.0.0." + (i + 1));
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    if (throttle.reserve("admin", source).isZero()) {
                        reserved.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            all.add(t);
        }
        start.countDown();
        for (Thread t : all) {
            t.join();
        }
        assertEquals(5, reserved.get());
        assertEquals(Duration.ofSeconds(1), throttle.waitFor("admin", ip("10.9.9.9")));
    }

    @Test
    void theSourceWaitsTwiceAsLongAsTheName() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertTrue(throttle.reserve("admin", ip("10.0.0.1")).isZero());
            clock.advance(throttle.waitFor("admin", ip("10.0.0.1")));
        }
        assertTrue(throttle.reserve("admin", ip("10.0.0.1")).isZero(), "the 6th failure");
        assertEquals(Duration.ofSeconds(2), throttle.waitFor("admin", ip("10.0.0.2")));
        assertEquals(Duration.ofSeconds(4), throttle.waitFor("other", ip("10.0.0.1")));
    }

    @Test
    void successClearsTheNameAndTheSource() throws Exception {
        for (int i = 0; i < 5; i++) {
            throttle.reserve("admin", ip("10.0.0.1"));
        }
        throttle.succeeded("admin", ip("10.0.0.1"));
        assertTrue(throttle.waitFor("admin", ip("10.0.0.1")).isZero());
        assertTrue(throttle.throttledUntil("admin").isEmpty());
    }

    @Test
    void ipv6SourcesAreCountedPerSlash64() throws Exception {
        for (int i = 0; i < 5; i++) {
            throttle.reserve("name" + i, ip("2001:db8:1:2::" + (i + 1)));
        }
        assertEquals(Duration.ofSeconds(2), throttle.waitFor("fresh", ip("2001:db8:1:2:ffff::9")));
        assertTrue(throttle.waitFor("fresh", ip("2001:db8:1:3::1")).isZero());
    }

    @Test
    void countersAreBoundedAndForgotten() throws Exception {
        for (int i = 0; i < LoginThrottle.MAX_ENTRIES + 500; i++) {
            throttle.reserve("random" + i, ip("10.1." + (i >> 8 & 255) + "." + (i & 255)));
            throttle.succeeded("none", null);
        }
        assertTrue(throttle.size() <= 2 * LoginThrottle.MAX_ENTRIES, "size " + throttle.size());

        for (int i = 0; i < 5; i++) {
            throttle.reserve("admin", ip("10.2.0." + i));
        }
        clock.advance(LoginThrottle.FORGET_AFTER.plusSeconds(1));
        throttle.reserve("admin", ip("10.3.0.1"));
        assertTrue(throttle.throttledUntil("admin").isEmpty(), "a day without failures starts again from zero");
    }
}
