package io.swarmgate.cli;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.Audit;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.control.ControlClient;
import io.swarmgate.pki.Pki;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import io.swarmgate.store.DatabaseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swarmgate restore FILE}: puts a {@link BackupArchive} back into the data directory of a
 * stopped appliance. The database and certificates it replaces are moved aside, not deleted; the
 * backup's configuration is unpacked next to them for the administrator to compare, never written
 * over the file in use.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore the database and certificates from a 'swarmgate backup' archive into the data",
            "directory of a stopped appliance. A backup from a newer Swarmgate is refused; an older one is",
            "brought up to this version's schema. What it replaces is kept in <data-dir>/restore-<time>/previous."})
public final class RestoreCommand implements Callable<Integer> {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Mixin
    ConfigOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Archive written by 'swarmgate backup'.")
    Path archive;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "For an encrypted backup: the file with the passphrase on its first line.")
    Path passphraseFile;

    @Override
    public Integer call() throws IOException {
        Logging.quiet();
        ApplianceConfig config = options.load();
        if (config.database().shared()) {
            throw new ExitCodes.UsageException(BackupCommand.CLUSTER_REFUSAL);
        }
        DataDirectory dataDir = new DataDirectory(config.dataDir());
        // The running appliance holds the database open and would go on writing the old one.
        if (ControlClient.isListening(dataDir.controlSocket())) {
            throw new ExitCodes.CommandFailedException("the appliance using " + dataDir.root()
                    + " is running; stop it first (systemctl stop swarmgate), then restore");
        }
        boolean encrypted = BackupCipher.isEncrypted(archive);
        if (encrypted && passphraseFile == null) {
            throw new ExitCodes.UsageException(archive + " is encrypted; give the passphrase with --passphrase-file FILE");
        }
        char[] passphrase = encrypted ? BackupCipher.readPassphrase(passphraseFile) : null;
        dataDir.create();
        Path work = dataDir.root().resolve("restore-" + STAMP.format(Clock.systemUTC().instant()));
        Files.createDirectory(work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String schema;
        BackupArchive.Manifest manifest;
        try {
            Path plain = archive;
            if (encrypted) {
                plain = work.resolve("backup.zip");
                try {
                    BackupCipher.decrypt(archive, plain, passphrase);
                } catch (BackupCipher.BadPassphraseException e) {
                    throw new ExitCodes.CommandFailedException(e.getMessage() + "; nothing was changed", e);
                } finally {
                    java.util.Arrays.fill(passphrase, '\0');
                }
            }
            manifest = BackupArchive.manifest(plain);
            BackupArchive.extract(plain, work);
            if (encrypted) {
                Files.delete(plain);
            }
            schema = checkedSchema(work, manifest);
        } catch (RuntimeException | IOException e) {
            // Nothing of the current data was touched; the unpacked copy holds keys, so it goes.
            deleteTree(work);
            throw e;
        }

        Optional<AuditLog.Head> replacedHead = auditHead(dataDir);
        Path previous = work.resolve("previous");
        Files.createDirectory(previous);
        moveIfExists(dataDir.databaseDir(), previous.resolve("db"));
        moveIfExists(dataDir.pkiDir(), previous.resolve("pki"));
        // A fresh installation's one-time password belongs to the database being replaced.
        moveIfExists(dataDir.initialPasswordFile(), previous.resolve(dataDir.initialPasswordFile().getFileName()));
        Files.move(work.resolve("db"), dataDir.databaseDir());
        if (Files.isDirectory(work.resolve("pki"))) {
            Files.move(work.resolve("pki"), dataDir.pkiDir());
        }

        recordRestore(dataDir, manifest, replacedHead);

        PrintWriter out = spec.commandLine().getOut();
        out.println("Restored the database (schema " + schema + ") and certificates from " + archive);
        out.println("  (Swarmgate " + manifest.version() + ", backup made " + manifest.created() + ").");
        out.println("What they replaced: " + previous + " (delete it once the appliance runs as expected).");
        Path restoredConfig = work.resolve("config/swarmgate.conf");
        if (Files.exists(restoredConfig)) {
            out.println("The backup's configuration: " + restoredConfig + "; compare it with the one in use"
                    + (options.config != null ? " (" + options.config + ")" : "") + ".");
        }
        out.println("Start the appliance: systemctl start swarmgate");
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Opens the unpacked database the way the appliance does: that refuses one written by a newer
     * Swarmgate (before anything in the data directory moved) and migrates an older one.
     */
    private static String checkedSchema(Path work, BackupArchive.Manifest manifest) {
        try (Database db = Database.open(new DataDirectory(work), 2, false)) {
            return db.schemaVersion();
        } catch (DatabaseException e) {
            throw new ExitCodes.CommandFailedException("cannot restore this backup (Swarmgate " + manifest.version()
                    + ", database schema " + manifest.schema() + "): " + e.getMessage() + "; nothing was changed", e);
        }
    }

    /** The audit log's head in the database about to be replaced, read-only; empty when there is none. */
    private static Optional<AuditLog.Head> auditHead(DataDirectory dataDir) {
        if (!Files.exists(dataDir.databaseFile())) {
            return Optional.empty();
        }
        org.h2.jdbcx.JdbcDataSource readOnly = new org.h2.jdbcx.JdbcDataSource();
        readOnly.setURL("jdbc:h2:file:" + dataDir.databaseBase() + ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE");
        readOnly.setUser("swarmgate");
        try {
            return Optional.of(new AuditLog(readOnly, Clock.systemUTC()).head());
        } catch (java.sql.SQLException e) {
            return Optional.empty(); // no audit log in it (older schema) or unreadable: nothing to say
        }
    }

    /**
     * Records the restore in the restored database. Entries written after the backup are gone with
     * the database they were in; this entry says so, with the head of the log it replaced, so an
     * auditor holding a later export or checkpoint can tell a restore from tampering.
     */
    private void recordRestore(DataDirectory dataDir, BackupArchive.Manifest manifest,
                               Optional<AuditLog.Head> replaced) {
        try (Database db = Database.open(dataDir, 2, false);
             Audit audit = Audit.open(db.dataSource(), Pki.at(dataDir.pkiDir()), dataDir.exportDir(),
                     Clock.systemUTC())) {
            audit.log().record(AuditEvent.success(Actor.currentCliUser(), "backup.restored",
                    archive.getFileName().toString()).with("backupCreated", manifest.created())
                    .with("backupVersion", manifest.version())
                    .with("replacedHeadSeq", replaced.map(AuditLog.Head::seq).orElse(null))
                    .with("replacedHeadHash", replaced.map(AuditLog.Head::hash).orElse(null)));
        } catch (java.sql.SQLException | RuntimeException e) {
            throw new ExitCodes.CommandFailedException("restored, but cannot record the restore in the audit log: "
                    + e.getMessage(), e);
        }
    }

    private static void moveIfExists(Path from, Path to) throws IOException {
        if (Files.exists(from)) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
