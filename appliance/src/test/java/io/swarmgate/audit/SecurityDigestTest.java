package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.SettableClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flood of security events costs a bounded number of entries per minute. */
class SecurityDigestTest {

    @TempDir
    Path tmp;

    @Test
    void eventsFromOneAddressBecomeOneEntryWithTheirCountAndTimes() throws Exception {
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-03T10:00:00Z"));
        try (AuditFixture f = new AuditFixture(tmp.resolve("data"), clock)) {
            SecurityDigest digest = f.audit.digest();
            for (int i = 0; i < 1000; i++) {
                digest.count("signaling.refused", InetAddress.getByName("10.0.0.7"), "https://evil.example",
                        "origin_not_allowed");
                clock.advance(10);
            }
            digest.flush();
            List<AuditEntry> entries = f.audit.log().page(AuditLog.Filter.ALL, null, 10);
            assertEquals(1, entries.size());
            var details = new ObjectMapper().readTree(entries.get(0).details());
            assertEquals(1000, details.get("count").asInt());
            assertEquals("2026-12-03T10:00:00.000Z", details.get("firstAt").asText());
            assertEquals("2026-12-03T10:00:09.990Z", details.get("lastAt").asText());
            assertEquals("10.0.0.7", entries.get(0).source());
            digest.flush();
            assertEquals(1, f.audit.log().head().seq(), "nothing counted, nothing written");
        }
    }

    @Test
    void aFloodFromManyAddressesIsCappedPerMinuteAndSummarised() throws Exception {
        try (AuditFixture f = new AuditFixture(tmp.resolve("data"), java.time.Clock.systemUTC())) {
            SecurityDigest digest = f.audit.digest();
            for (int i = 0; i < 5000; i++) {
                digest.count("signaling.refused", InetAddress.getByName("10.1." + (i / 250) + "." + (i % 250)), null,
                        "token_invalid");
            }
            digest.flush();
            assertEquals(SecurityDigest.MAX_KEYS_PER_MINUTE + 1, f.audit.log().head().seq());
            AuditEntry flood = f.audit.log().page(new AuditLog.Filter(null, null, null, "security.flood", null), null, 1)
                    .get(0);
            var details = new ObjectMapper().readTree(flood.details());
            assertEquals(5000 - SecurityDigest.MAX_KEYS_PER_MINUTE, details.get("events").asInt());
            assertEquals(5000 - SecurityDigest.MAX_KEYS_PER_MINUTE, details.get("sources").asInt());
            assertTrue(f.verifier().database(f.database.dataSource()).ok());
        }
    }
}
