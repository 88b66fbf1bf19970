package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pruning old entries keeps the rest verifiable from the signed pruning checkpoint. */
class AuditRetentionTest {

    @TempDir
    Path tmp;

    @Test
    void entriesOlderThanTheRetentionGoAndTheRestVerifiesFromThePruningCheckpoint() throws Exception {
        SettableClock clock = SettableClock.at(Instant.parse("2025-01-01T00:00:00Z"));
        try (AuditFixture f = new AuditFixture(tmp.resolve("data"), clock)) {
            f.fill(10);
            f.audit.checkpoints().signHead(Checkpoints.INTERVAL);
            clock.advance(Duration.ofDays(401));
            f.fill(5);
            AuditRetention retention = new AuditRetention(f.audit.log(), f.audit.checkpoints(), Duration.ofDays(400),
                    clock);

            AuditRetention.Pruned pruned = retention.prune();
            assertEquals(10, pruned.throughSeq());
            assertEquals(10, pruned.entries());
            assertTrue(f.audit.log().find(10).isEmpty());
            AuditEntry record = f.audit.log().page(new AuditLog.Filter(null, null, null, "audit.pruned", null), null, 1)
                    .get(0);
            assertEquals("system", record.actor());
            AuditVerifier.Result r = f.verifier().database(f.database.dataSource());
            assertTrue(r.ok(), r.problem());
            assertEquals(11, r.firstSeq());
            assertEquals(16, r.lastSeq());
            assertEquals(new AuditRetention.Pruned(0, 0), retention.prune(), "nothing more is due");

            Path export = tmp.resolve("kept.jsonl");
            AuditExporter.Export e = f.audit.exporter().export(Actor.cli("auditor"), ExportFormat.JSONL, null, null, export);
            assertEquals(11, e.firstSeq());
            assertTrue(f.verifier().export(export).ok());

            f.sql("DELETE FROM audit_entry WHERE seq = 11");
            assertEquals(11L, f.verifier().database(f.database.dataSource()).firstBadSeq(),
                    "an entry deleted after the anchor is still found");
        }
    }

    @Test
    void rowsACrashedRunLeftBehindItsAnchorAreDeletedAndIgnoredMeanwhile() throws Exception {
        SettableClock clock = SettableClock.at(Instant.parse("2025-01-01T00:00:00Z"));
        try (AuditFixture f = new AuditFixture(tmp.resolve("data"), clock)) {
            f.fill(6);
            // The run signed its anchor at entry 4, then stopped before deleting anything.
            f.audit.checkpoints().sign(4, f.audit.log().find(4).orElseThrow().hash(), Checkpoints.PRUNE);
            assertTrue(f.verifier().database(f.database.dataSource()).ok());
            new AuditRetention(f.audit.log(), f.audit.checkpoints(), Duration.ofDays(400), clock).prune();
            assertTrue(f.audit.log().find(4).isEmpty());
            assertTrue(f.audit.log().find(5).isPresent());
            assertTrue(f.verifier().database(f.database.dataSource()).ok());
        }
    }
}
