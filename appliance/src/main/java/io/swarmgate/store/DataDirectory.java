package io.swarmgate.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The appliance's data directory and its fixed layout. Everything under it is private to the
 * service account: directories are created {@code rwx------} and files {@code rw-------}, because
 * the directory holds the database, the CA's private key and logs.
 */
public final class DataDirectory {

    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private final Path root;

    public DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path databaseDir() {
        return root.resolve("db");
    }

    /** H2's base name; the file on disk is this plus {@code .mv.db}. */
    public Path databaseBase() {
        return databaseDir().resolve("swarmgate");
    }

    public Path databaseFile() {
        return databaseDir().resolve("swarmgate.mv.db");
    }

    public Path pkiDir() {
        return root.resolve("pki");
    }

    /** The running appliance's local administration socket (owner-only, see ControlServer). */
    public Path controlSocket() {
        return root.resolve("control.sock");
    }

    /** The first administrator's one-time password, until it is changed. */
    public Path initialPasswordFile() {
        return root.resolve("initial-admin-password");
    }

    public Path logDir() {
        return root.resolve("log");
    }

    /** Audit exports being written, before they are handed to whoever asked (owner-only, like the rest). */
    public Path exportDir() {
        return root.resolve("exports");
    }


    /** Creates the directory tree if missing and tightens permissions on what is there. */
    public DataDirectory create() {
        for (Path dir : new Path[] {root, databaseDir(), pkiDir(), logDir(), exportDir()}) {
            createPrivateDirectory(dir);
        }
        return this;
    }

    static void createPrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            if (posix()) {
                Files.setPosixFilePermissions(dir, DIRECTORY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes a file readable only by the owner, replacing any previous content atomically. */
    public static void writePrivateFile(Path file, byte[] content) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            if (posix()) {
                Files.setPosixFilePermissions(tmp, FILE);
            }
            Files.write(tmp, content);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
