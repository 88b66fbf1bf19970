package io.swarmgate.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    @Test
    void eachSourceGetsItsBurstThenItsRate() throws Exception {
        SourceLimiter limiter = new SourceLimiter(10, 3, 100);
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.allow(ip("10.0.0.1"), 1000));
        }
        assertFalse(limiter.allow(ip("10.0.0.1"), 1000));
        assertTrue(limiter.allow(ip("10.0.0.2"), 1000), "another source has its own budget");
        assertFalse(limiter.allow(ip("10.0.0.1"), 1050), "half a token after 50 ms at 10/s");
        assertTrue(limiter.allow(ip("10.0.0.1"), 1100));
    }

    @Test
    void aFullTableForgetsIdleSourcesAndRefusesNewOnesWhileAllAreBusy() throws Exception {
        SourceLimiter limiter = new SourceLimiter(10, 2, 2);
        assertTrue(limiter.allow(ip("10.0.0.1"), 0));
        assertTrue(limiter.allow(ip("10.0.0.2"), 0));
        assertFalse(limiter.allow(ip("10.0.0.3"), 0), "both tracked sources are still refilling");
        assertEquals(2, limiter.sources());
        assertTrue(limiter.allow(ip("10.0.0.3"), 1000), "after a second both are full again and forgotten");
        assertEquals(1, limiter.sources());
    }
}
