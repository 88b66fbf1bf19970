package io.swarmgate.cli;

import io.swarmgate.audit.AuditEvent;
import io.swarmgate.control.AdminContext;
import io.swarmgate.store.DataDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code swarmgate backup --out FILE|DIR [--keep N]}: a consistent copy of the database, the PKI
 * and the configuration in one archive ({@link BackupArchive}).
 *
 * <p>While the appliance runs it alone may open the database, so the command is forwarded: the
 * appliance writes an H2 online snapshot ({@code BACKUP TO}, consistent while viewers and admins
 * keep writing) into its own data directory and answers with its path; this process, which may
 * write where the caller asked, then packs it with the certificates and configuration and deletes
 * it. On a stopped appliance this process opens the database and takes the same snapshot itself.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Write a backup of the database, certificates and configuration, also while the",
            "appliance runs. The archive holds the CA's private key: keep it as safe as the appliance.",
            "'swarmgate restore FILE' puts it back."})
public final class BackupCommand extends ForwardingCommand {

    static final String SNAPSHOT_DIR = "backup-snapshots";
    /** Why backup and restore refuse in cluster mode, where PostgreSQL's own tools are the way. */
    static final String CLUSTER_REFUSAL = "backup and restore copy the embedded H2 database; with "
            + io.swarmgate.config.ConfigKey.DATABASE_URL + " set (cluster mode) back up PostgreSQL with pg_dump and"
            + " restore with pg_restore, and each appliance's pki/ directory with its file backups"
            + " (docs/scaling.md)";
    /** Appended to the name of an archive encrypted with a passphrase. */
    static final String ENCRYPTED_SUFFIX = ".enc";
    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    @Option(names = "--out", paramLabel = "FILE|DIR", required = true,
            description = {"Archive to write; an existing directory gets a new",
                "swarmgate-backup-<UTC time>.zip in it."})
    Path target;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = {"Encrypt the archive with the passphrase on the first line of FILE (AES-256,",
                "key from PBKDF2); 'restore' needs the same file. The archive gets '.enc' appended."})
    Path passphraseFile;

    @Option(names = "--keep", paramLabel = "N",
            description = "With a directory for --out: keep only the newest N backups there (default: all).")
    Integer keep;

    @Override
    protected int execute(AdminContext context, PrintWriter out) throws Exception {
        // Recorded before the snapshot, so the backup carries the record of its own making.
        context.audit().log().record(AuditEvent.success(context.actor(), "backup.created", target.toString())
                .with("encrypted", passphraseFile != null));
        Snapshot snapshot = snapshot(context);
        if (inAppliance()) {
            // Picked up by forwardedOutput in the calling process.
            out.println(snapshot.file() + "\t" + snapshot.schema() + "\t" + VersionCommand.version());
            return ExitCodes.OK;
        }
        return pack(context.dataDir(), snapshot, VersionCommand.version(), out);
    }

    @Override
    protected int forwardedOutput(String output, PrintWriter out) throws IOException {
        String[] fields = output.strip().split("\t");
        if (fields.length != 3) {
            throw new ExitCodes.CommandFailedException("unexpected answer from the appliance: " + output.strip());
        }
        DataDirectory dataDir = new DataDirectory(options.load().dataDir());
        return pack(dataDir, new Snapshot(Path.of(fields[0]), fields[1]), fields[2], out);
    }

    @Override
    protected void validate() {
        if (options.load().database().shared()) {
            throw new ExitCodes.UsageException(CLUSTER_REFUSAL);
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new ExitCodes.UsageException(target + " exists; choose another name or a directory for --out");
        }
        if (passphraseFile != null && !Files.isReadable(passphraseFile)) {
            throw new ExitCodes.UsageException("cannot read the passphrase file " + passphraseFile);
        }
        if (keep != null && keep < 1) {
            throw new ExitCodes.UsageException("--keep must be at least 1");
        }
        if (keep != null && !Files.isDirectory(target)) {
            throw new ExitCodes.UsageException("--keep needs a directory for --out; " + target + " is not one");
        }
    }

    private record Snapshot(Path file, String schema) {
    }

    /** The database as one H2 snapshot zip in the data directory, and the schema version it is at. */
    private static Snapshot snapshot(AdminContext context) throws IOException, SQLException {
        Path dir = context.dataDir().root().resolve(SNAPSHOT_DIR);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve("snapshot-" + UUID.randomUUID() + ".zip");
        // BACKUP TO is a database-wide statement, not a table's: it has no repository to live in.
        try (Connection c = context.database().getConnection(); Statement s = c.createStatement()) {
            s.execute("BACKUP TO '" + file.toString().replace("'", "''") + "'");
            String schema;
            try (ResultSet rs = s.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\""
                    + " ORDER BY \"installed_rank\" DESC LIMIT 1")) {
                schema = rs.next() ? rs.getString(1) : "0";
            }
            return new Snapshot(file, schema);
        } catch (SQLException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private int pack(DataDirectory dataDir, Snapshot snapshot, String version, PrintWriter out) throws IOException {
        try {
            char[] passphrase = passphraseFile == null ? null : BackupCipher.readPassphrase(passphraseFile);
            Path file = Files.isDirectory(target)
                    ? target.resolve(BackupArchive.FILE_PREFIX + NAME_TIME.format(Clock.systemUTC().instant()) + ".zip"
                            + (passphrase != null ? ENCRYPTED_SUFFIX : ""))
                    : target;
            Path plain = passphrase == null ? file
                    : file.resolveSibling("." + file.getFileName() + ".plain-" + UUID.randomUUID());
            Path config = options.config != null && Files.isRegularFile(options.config) ? options.config : null;
            try {
                BackupArchive.write(plain, new BackupArchive.Manifest(BackupArchive.FORMAT, version, snapshot.schema(),
                        Clock.systemUTC().instant().toString()), snapshot.file(), dataDir.pkiDir(), config,
                        Logging.installedFile());
                if (passphrase != null) {
                    try {
                        BackupCipher.encrypt(plain, file, passphrase);
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    } finally {
                        Files.deleteIfExists(plain);
                        java.util.Arrays.fill(passphrase, '\0');
                    }
                }
            } catch (java.nio.file.AccessDeniedException e) {
                throw new ExitCodes.CommandFailedException("cannot write " + file + ": permission denied (run as root,"
                        + " swarmgate acts as the swarmgate account: write to a directory it may write, such as"
                        + " /var/lib/swarmgate/backups or /tmp)", e);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ExitCodes.UsageException("cannot write " + file + ": " + e.getFile() + " does not exist");
            }
            out.println("Backup written to " + file.toAbsolutePath() + " (database schema " + snapshot.schema()
                    + ", certificates, configuration). " + (passphraseFile != null
                    ? "It is encrypted: keep the passphrase, 'restore' needs it."
                    : "It holds the CA's private key: keep it safe."));
            if (keep != null) {
                for (Path old : olderThanNewest(target, keep)) {
                    Files.delete(old);
                    out.println("Deleted the older backup " + old);
                }
            }
            return ExitCodes.OK;
        } finally {
            Files.deleteIfExists(snapshot.file());
        }
    }

    /** Backups in {@code dir} beyond the newest {@code keep}; their names sort by time. */
    static List<Path> olderThanNewest(Path dir, int keep) throws IOException {
        List<Path> backups;
        try (Stream<Path> files = Files.list(dir)) {
            backups = new ArrayList<>(files.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith(BackupArchive.FILE_PREFIX)
                        && (name.endsWith(".zip") || name.endsWith(".zip" + ENCRYPTED_SUFFIX)) && Files.isRegularFile(f);
            }).sorted().toList());
        }
        return backups.size() <= keep ? List.of() : backups.subList(0, backups.size() - keep);
    }
}
