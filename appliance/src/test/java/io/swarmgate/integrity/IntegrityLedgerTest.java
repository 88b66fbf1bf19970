package io.swarmgate.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IntegrityLedgerTest {

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-12-03T10:00:00Z"));
    private final IntegrityLedger ledger = new IntegrityLedger(2, Duration.ofMinutes(60), clock);

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    @Test
    void onePeersWordNeverBarsAnother() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(IntegrityLedger.Verdict.NOTED, ledger.report("s", "paris", "honest", ip("10.0.0.1"), ip("10.0.0.9")));
        }
        assertTrue(ledger.offenders("s").isEmpty());
        assertFalse(ledger.barred("s", ip("10.0.0.1")));
        assertEquals(new IntegrityLedger.SiteCounts(5, 0), ledger.counts("s").get("paris"));
    }

    @Test
    void reportsFromTwoAddressesBarThePeerAndItsAddressOnThatStreamForTheBarTime() throws Exception {
        assertEquals(IntegrityLedger.Verdict.NOTED, ledger.report("s", "paris", "bad", ip("10.0.0.1"), ip("10.0.0.2")));
        assertEquals(IntegrityLedger.Verdict.BARRED, ledger.report("s", "paris", "bad", ip("10.0.0.1"), ip("10.0.0.3")));
        assertEquals(IntegrityLedger.Verdict.ALREADY_BARRED, ledger.report("s", "paris", "bad", ip("10.0.0.1"), ip("10.0.0.4")));
        IntegrityLedger.Offender o = ledger.offenders("s").get(0);
        assertEquals("bad", o.peerId());
        assertEquals("10.0.0.1", o.address());
        assertEquals(2, o.reporters());
        assertEquals(new IntegrityLedger.SiteCounts(3, 1), ledger.counts("s").get("paris"));
        assertTrue(ledger.barred("s", ip("10.0.0.1")));
        assertFalse(ledger.barred("other-stream", ip("10.0.0.1")), "a bar holds on its own stream only");
        clock.advance(Duration.ofMinutes(60));
        assertFalse(ledger.barred("s", ip("10.0.0.1")), "the address bar ends");
    }

    @Test
    void reportsFromTheAccusedsOwnAddressDoNotCount() throws Exception {
        ledger.report("s", "paris", "p", ip("10.0.0.1"), ip("10.0.0.1"));
        assertEquals(IntegrityLedger.Verdict.NOTED, ledger.report("s", "paris", "p", ip("10.0.0.1"), ip("10.0.0.2")));
    }

    @Test
    void theOffenderListIsBounded() throws Exception {
        IntegrityLedger strict = new IntegrityLedger(1, Duration.ZERO, clock);
        for (int i = 0; i < IntegrityLedger.MAX_OFFENDERS_PER_STREAM + 50; i++) {
            strict.report("s", "site", "p" + i, ip("10.1." + (i / 250) + "." + (i % 250)), ip("10.9.9.9"));
        }
        assertEquals(IntegrityLedger.MAX_OFFENDERS_PER_STREAM, strict.offenders("s").size());
        assertEquals("p" + (IntegrityLedger.MAX_OFFENDERS_PER_STREAM + 49), strict.offenders("s").get(0).peerId());
        assertFalse(strict.barred("s", ip("10.1.0.0")), "bar time zero: no address bar");
    }
}
