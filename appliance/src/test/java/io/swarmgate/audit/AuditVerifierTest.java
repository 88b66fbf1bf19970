package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way of tampering with the stored log makes verification fail at the right entry. */
class AuditVerifierTest {

    @TempDir
    Path tmp;

    private AuditFixture f;

    @BeforeEach
    void tenEntries() throws Exception {
        f = new AuditFixture(tmp.resolve("data"), Clock.systemUTC());
        f.fill(10);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private AuditVerifier.Result verify() throws Exception {
        return f.verifier().database(f.database.dataSource());
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        f.audit.checkpoints().signHead(Checkpoints.INTERVAL);
        AuditVerifier.Result r = verify();
        assertTrue(r.ok(), r.problem());
        assertEquals(10, r.entries());
        assertEquals(1, r.firstSeq());
        assertEquals(10, r.lastSeq());
        assertEquals(1, r.checkpoints());
        assertNull(r.firstBadSeq());
    }

    @Test
    void anEditedEntryFailsAtThatEntry() throws Exception {
        f.sql("UPDATE audit_entry SET details = ? WHERE seq = 4", "{\"n\":99}");
        AuditVerifier.Result r = verify();
        assertFalse(r.ok());
        assertEquals(4L, r.firstBadSeq());
        assertTrue(r.problem().contains("edited"), r.problem());
    }

    @Test
    void anEditedActorFailsAtThatEntry() throws Exception {
        f.sql("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 7");
        assertEquals(7L, verify().firstBadSeq());
    }

    @Test
    void aDeletedEntryFailsAtItsNumber() throws Exception {
        f.sql("DELETE FROM audit_entry WHERE seq = 5");
        AuditVerifier.Result r = verify();
        assertEquals(5L, r.firstBadSeq());
        assertTrue(r.problem().contains("missing"), r.problem());
    }

    @Test
    void anInsertedEntryFailsAtTheInsertedRow() throws Exception {
        // Make room at 6 the way an intruder would: move every later row one up, then slip a row in.
        for (int seq = 10; seq >= 6; seq--) {
            f.sql("UPDATE audit_entry SET seq = seq + 1 WHERE seq = ?", seq);
        }
        // The intruder even links the new row to row 5 correctly (same time stored as hashed): it
        // verifies on its own, and the chain breaks at the next row, whose link no longer matches.
        String hashOf5 = hash(5);
        java.time.Instant at = java.time.Instant.parse("2026-12-03T10:00:00Z");
        String canonical = Canonical.entry(6, at, "alice", null, "admin.created", "mallory", "success", "{}");
        f.sql("INSERT INTO audit_entry (seq, at, actor, source, action, target, outcome, details, hash)"
                + " VALUES (6, ?, 'alice', NULL, 'admin.created', 'mallory', 'success', '{}', ?)",
                java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC), Canonical.chain(hashOf5, canonical));
        assertEquals(7L, verify().firstBadSeq());
    }

    @Test
    void reorderedEntriesFailAtTheFirstMovedRow() throws Exception {
        f.sql("UPDATE audit_entry SET seq = -1 WHERE seq = 3");
        f.sql("UPDATE audit_entry SET seq = 3 WHERE seq = 4");
        f.sql("UPDATE audit_entry SET seq = 4 WHERE seq = -1");
        assertEquals(3L, verify().firstBadSeq());
    }

    @Test
    void aTruncatedTailFailsAgainstTheHead() throws Exception {
        f.sql("DELETE FROM audit_entry WHERE seq > 8");
        AuditVerifier.Result r = verify();
        assertEquals(9L, r.firstBadSeq());
        assertTrue(r.problem().contains("cut off"), r.problem());
    }

    @Test
    void aTruncatedTailWithAMovedHeadFailsAgainstACheckpoint() throws Exception {
        f.audit.checkpoints().signHead(Checkpoints.INTERVAL);
        f.sql("DELETE FROM audit_entry WHERE seq > 8");
        f.sql("UPDATE audit_head SET seq = 8, hash = ?", hash(8));
        AuditVerifier.Result r = verify();
        assertEquals(9L, r.firstBadSeq());
        assertTrue(r.problem().contains("checkpoint"), r.problem());
    }

    @Test
    void aRecomputedChainFailsAgainstTheCheckpointsAfterTheLastOneItStillMatches() throws Exception {
        f.audit.checkpoints().signHead(Checkpoints.INTERVAL); // covers 10
        f.fill(5);
        f.audit.checkpoints().signHead(Checkpoints.INTERVAL); // covers 15
        // The intruder edits entry 12 and recomputes every hash after it, head included.
        f.sql("UPDATE audit_entry SET target = 'nothing to see' WHERE seq = 12");
        String previous = hash(11);
        try (Connection c = f.database.dataSource().getConnection()) {
            for (AuditEntry e : AuditLog.range(c, 12, 15, 10)) {
                previous = Canonical.chain(previous, e.canonical());
                try (PreparedStatement s = c.prepareStatement("UPDATE audit_entry SET hash = ? WHERE seq = ?")) {
                    s.setString(1, previous);
                    s.setLong(2, e.seq());
                    s.executeUpdate();
                }
            }
        }
        f.sql("UPDATE audit_head SET hash = ?", previous);
        AuditVerifier.Result r = verify();
        assertEquals(11L, r.firstBadSeq(), r.problem());
        assertTrue(r.problem().contains("rewritten after entry 10"), r.problem());
    }

    @Test
    void aCheckpointKeptFromAnEarlierExportRevealsATruncationThatTookTheDatabasesOwnCheckpointsAlong()
            throws Exception {
        Path export = tmp.resolve("earlier.jsonl");
        f.audit.exporter().export(Actor.cli("auditor"), ExportFormat.JSONL, null, null, export);
        Checkpoints.Checkpoint held = AuditVerifier.heldCheckpoint(Files.readString(export));
        assertEquals(10, held.seq());
        assertTrue(f.verifier().database(f.database.dataSource(), java.util.List.of(held)).ok());
        // Everything after entry 7 goes, with the head moved back and every checkpoint deleted.
        f.sql("DELETE FROM audit_entry WHERE seq > 7");
        f.sql("DELETE FROM audit_checkpoint");
        f.sql("UPDATE audit_head SET seq = 7, hash = ?", hash(7));
        assertTrue(verify().ok(), "without what the auditor kept, the cut is invisible");
        AuditVerifier.Result r = f.verifier().database(f.database.dataSource(), java.util.List.of(held));
        assertEquals(8L, r.firstBadSeq(), r.problem());
    }

    @Test
    void anAlteredCheckpointIsReported() throws Exception {
        f.audit.checkpoints().signHead(Checkpoints.INTERVAL);
        f.sql("UPDATE audit_checkpoint SET hash = ?", "0".repeat(64));
        AuditVerifier.Result r = verify();
        assertFalse(r.ok());
        assertTrue(r.problem().contains("not validly signed"), r.problem());
    }

    @Test
    void appendsFromManyThreadsFormOneChain() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    f.fill(25);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        AuditVerifier.Result r = verify();
        assertTrue(r.ok(), r.problem());
        assertEquals(210, r.entries());
    }

    @Test
    void aRolledBackChangeLeavesNoEntry() throws Exception {
        try {
            f.audit.log().transaction(c -> {
                f.audit.log().append(c, AuditEvent.success(Actor.SYSTEM, "test.rolled-back", null));
                throw new java.sql.SQLException("the change failed");
            });
        } catch (java.sql.SQLException expected) {
            // the entry goes with the change
        }
        assertEquals(10, f.audit.log().head().seq());
        assertTrue(verify().ok());
    }

    @Test
    void anExportVerifiesAndAOneByteChangeFailsIt() throws Exception {
        for (ExportFormat format : ExportFormat.AUDIT_LOG) {
            Path file = tmp.resolve("audit." + format.extension());
            AuditExporter.Export export = f.audit.exporter().export(Actor.cli("auditor"), format, null, null, file);
            assertEquals(1, export.firstSeq());
            AuditVerifier.Result ok = f.verifier().export(file);
            assertTrue(ok.ok(), format + ": " + ok.problem());
            assertEquals(export.entries(), ok.entries());

            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            int at = text.indexOf("stream-3");
            bytes[at + 7] = (byte) '8';
            Files.write(file, bytes);
            AuditVerifier.Result bad = f.verifier().export(file);
            assertFalse(bad.ok());
            assertEquals(4L, bad.firstBadSeq(), format + ": " + bad.problem());
        }
    }

    @Test
    void aCutExportFails() throws Exception {
        Path file = tmp.resolve("audit.jsonl");
        f.audit.exporter().export(Actor.cli("auditor"), ExportFormat.JSONL, null, null, file);
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, 8));
        Files.delete(AuditExporter.signatureFile(file));
        AuditVerifier.Result r = f.verifier().export(file);
        assertEquals(8L, r.firstBadSeq(), r.problem());
    }

    private String hash(long seq) throws Exception {
        try (Connection c = f.database.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT hash FROM audit_entry WHERE seq = ?")) {
            s.setLong(1, seq);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
