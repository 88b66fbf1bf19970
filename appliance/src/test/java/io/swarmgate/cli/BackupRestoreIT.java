package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.pki.Pki;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmgate backup} while the appliance runs and when it is stopped, and {@code swarmgate restore}. */
@Timeout(120)
class BackupRestoreIT {

    @TempDir
    Path tmp;

    private static CliRun run(Path data, String... args) {
        return CliRun.run(data, args);
    }

    private static String caFingerprint(Path data) {
        return Pki.at(new DataDirectory(data).pkiDir()).report().ca().sha256Fingerprint();
    }

    @Test
    void aBackupTakenWhileRunningRestoresPoliciesAndCertificatesAfterTheStop() throws Exception {
        Path data = tmp.resolve("data");
        Path backup = tmp.resolve("backup.zip");
        String ca;
        try (Appliance appliance = TestAppliance.start(data)) {
            assertEquals(0, run(data, "stream", "add", "townhall").code());
            CliRun r = run(data, "backup", "--out", backup.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Backup written to"), r.out());
            // Changed after the backup: the restore must take the appliance back to before it.
            assertEquals(0, run(data, "stream", "add", "after-the-backup").code());
            ca = caFingerprint(data);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        try (ZipFile zip = new ZipFile(backup.toFile())) {
            List<String> names = Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
            assertTrue(names.containsAll(List.of(BackupArchive.MANIFEST, BackupArchive.DATABASE, "pki/ca.crt", "pki/ca.key")),
                    names.toString());
        }
        assertFalse(Files.list(data.resolve(BackupCommand.SNAPSHOT_DIR)).findAny().isPresent(),
                "the appliance's snapshot is deleted once packed");

        CliRun restored = run(data, "restore", backup.toString());
        assertEquals(0, restored.code(), restored.err());
        assertTrue(restored.out().contains("What they replaced: "), restored.out());

        try (Appliance appliance = TestAppliance.start(data)) {
            List<String> streams = appliance.policies().listStreams().stream().map(s -> s.id()).toList();
            assertEquals(List.of("townhall"), streams);
            // The audit log is the backup's, then the restore: the backup's own entry is in it.
            List<String> actions = appliance.audit().log().page(io.swarmgate.audit.AuditLog.Filter.ALL, null, 100)
                    .stream().map(e -> e.action() + " " + e.target()).toList();
            assertTrue(actions.contains("backup.created " + backup) && actions.contains("backup.restored backup.zip"),
                    actions.toString());
            assertFalse(actions.contains("stream.created after-the-backup"), actions.toString());
            assertTrue(new io.swarmgate.audit.AuditVerifier(io.swarmgate.pki.CmsSignatures.trusted(
                    appliance.pki().caCertificateFile())).database(appliance.audit().log()).ok());
        }
        assertEquals(ca, caFingerprint(data));
    }

    @Test
    void anEncryptedBackupRestoresOnlyWithItsPassphraseAndHoldsNoReadableKey() throws Exception {
        Path data = tmp.resolve("data");
        Path dir = Files.createDirectories(tmp.resolve("backups"));
        Path secret = tmp.resolve("passphrase");
        Files.writeString(secret, "correct horse battery staple\n");
        Path wrong = tmp.resolve("wrong");
        Files.writeString(wrong, "Tr0ub4dor&3\n");
        try (Appliance appliance = TestAppliance.start(data)) {
            assertEquals(0, run(data, "stream", "add", "townhall").code());
            CliRun r = run(data, "backup", "--out", dir.toString(), "--passphrase-file", secret.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("encrypted"), r.out());
            assertEquals(0, run(data, "stream", "add", "after-the-backup").code());
        }
        List<Path> written = Files.list(dir).toList();
        assertEquals(1, written.size(), "only the encrypted archive, no plain copy left: " + written);
        Path backup = written.get(0);
        assertTrue(backup.getFileName().toString().endsWith(".zip.enc"), backup.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        byte[] bytes = Files.readAllBytes(backup);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("PRIVATE KEY") || text.contains(BackupArchive.MANIFEST), "nothing readable inside");

        CliRun noPassphrase = run(data, "restore", backup.toString());
        assertEquals(2, noPassphrase.code());
        assertTrue(noPassphrase.err().contains("--passphrase-file"), noPassphrase.err());
        CliRun bad = run(data, "restore", backup.toString(), "--passphrase-file", wrong.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("passphrase is wrong") && bad.err().contains("nothing was changed"), bad.err());
        bytes[bytes.length / 2] ^= 1;
        Path changed = tmp.resolve("changed.zip.enc");
        Files.write(changed, bytes);
        assertEquals(1, run(data, "restore", changed.toString(), "--passphrase-file", secret.toString()).code(),
                "one changed byte is refused");

        CliRun ok = run(data, "restore", backup.toString(), "--passphrase-file", secret.toString());
        assertEquals(0, ok.code(), ok.err());
        try (Appliance appliance = TestAppliance.start(data)) {
            assertEquals(List.of("townhall"), appliance.policies().listStreams().stream().map(s -> s.id()).toList());
        }
    }

    @Test
    void restoreRefusesWhileTheApplianceRuns() throws Exception {
        Path data = tmp.resolve("data");
        Path backup = tmp.resolve("backup.zip");
        try (Appliance appliance = TestAppliance.start(data)) {
            assertEquals(0, run(data, "backup", "--out", backup.toString()).code());
            CliRun r = run(data, "restore", backup.toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("is running; stop it first"), r.err());
        }
    }

    @Test
    void aBackupOfAStoppedApplianceGoesIntoADirectoryKeepingTheNewest() throws Exception {
        Path data = tmp.resolve("data");
        Database.open(new DataDirectory(data).create(), 2, true).close();
        Pki.at(new DataDirectory(data).pkiDir()).initialize(List.of());
        Path dir = Files.createDirectory(tmp.resolve("backups"));
        for (int i = 0; i < 3; i++) {
            CliRun r = run(data, "backup", "--out", dir.toString(), "--keep", "2");
            assertEquals(0, r.code(), r.err());
            Thread.sleep(5); // names carry the time in milliseconds
        }
        List<Path> kept = Files.list(dir).sorted().toList();
        assertEquals(2, kept.size(), kept.toString());
        assertTrue(kept.stream().allMatch(p -> p.getFileName().toString().startsWith(BackupArchive.FILE_PREFIX)));

        CliRun notADirectory = run(data, "backup", "--out", tmp.resolve("x.zip").toString(), "--keep", "1");
        assertEquals(2, notADirectory.code());
        CliRun exists = run(data, "backup", "--out", kept.get(0).toString());
        assertEquals(2, exists.code(), "an existing backup is never overwritten");
    }

    @Test
    void aBackupFromANewerSwarmgateIsRefusedAndNothingChanges() throws Exception {
        Path data = tmp.resolve("data");
        Path backup = tmp.resolve("backup.zip");
        Database.open(new DataDirectory(data).create(), 2, true).close();
        Pki.at(new DataDirectory(data).pkiDir()).initialize(List.of());
        assertEquals(0, run(data, "backup", "--out", backup.toString()).code());

        // The same backup, its database marked as migrated by a later version's migration.
        Path unpacked = Files.createDirectory(tmp.resolve("unpacked"));
        BackupArchive.extract(backup, unpacked);
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + unpacked.resolve("db/swarmgate"), "swarmgate", "");
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\","
                    + " \"script\", \"checksum\", \"installed_by\", \"installed_on\", \"execution_time\", \"success\")"
                    + " VALUES (999, '999', 'from the future', 'SQL', 'V999__from_the_future.sql', 0, 'test',"
                    + " CURRENT_TIMESTAMP, 0, TRUE)");
        }
        Path newer = tmp.resolve("newer.zip");
        try (ZipFile in = new ZipFile(backup.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(newer))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(BackupArchive.DATABASE)) {
                    Files.copy(unpacked.resolve(BackupArchive.DATABASE), out);
                } else {
                    in.getInputStream(e).transferTo(out);
                }
                out.closeEntry();
            }
        }

        String before = caFingerprint(data);
        CliRun r = run(data, "restore", newer.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("newer Swarmgate") && r.err().contains("nothing was changed"), r.err());
        assertEquals(before, caFingerprint(data));
        assertFalse(Files.list(data).anyMatch(p -> p.getFileName().toString().startsWith("restore-")),
                "the unpacked copy is deleted");
        try (Database db = Database.open(new DataDirectory(data), 2, false)) {
            assertFalse(db.schemaVersion().equals("999"));
        }
    }

    @Test
    void aFileThatIsNotABackupIsRefusedWithItsName() throws Exception {
        Path data = tmp.resolve("data");
        Path junk = tmp.resolve("junk.zip");
        try (OutputStream out = new ZipOutputStream(Files.newOutputStream(junk))) {
            ((ZipOutputStream) out).putNextEntry(new ZipEntry("../../etc/passwd"));
        }
        CliRun r = run(data, "restore", junk.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a Swarmgate backup"), r.err());
    }
}
