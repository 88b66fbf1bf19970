package io.swarmgate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The backup archive written by {@code swarmgate backup} and read by {@code swarmgate restore}: a
 * zip file with
 * <pre>
 * swarmgate-backup.properties   format, Swarmgate version, database schema version, creation time
 * db/swarmgate.mv.db            the database
 * pki/*                         CA and server certificates and keys, imported chains
 * config/swarmgate.conf         the configuration file in use, if there was one
 * config/logback.xml            the installed logging configuration, if there was one
 * </pre>
 * Only these names are read back, each checked, so a crafted archive cannot write outside the
 * directory it is restored into.
 */
final class BackupArchive {

    static final int FORMAT = 1;
    static final String FILE_PREFIX = "swarmgate-backup-";
    static final String MANIFEST = "swarmgate-backup.properties";
    static final String DATABASE = "db/swarmgate.mv.db";
    private static final Pattern PKI_ENTRY = Pattern.compile("pki/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final List<String> CONFIG_ENTRIES = List.of("config/swarmgate.conf", "config/logback.xml");

    private BackupArchive() {
    }

    /** What the archive says about itself. */
    record Manifest(int format, String version, String schema, String created) {

        String text() {
            return "# Swarmgate backup\nformat=" + format + "\nversion=" + version + "\nschema=" + schema
                    + "\ncreated=" + created + "\n";
        }

        static Manifest parse(String text, Path archive) throws IOException {
            Properties p = new Properties();
            p.load(new StringReader(text));
            try {
                return new Manifest(Integer.parseInt(p.getProperty("format", "")), p.getProperty("version", "?"),
                        p.getProperty("schema", "?"), p.getProperty("created", "?"));
            } catch (NumberFormatException e) {
                throw new ExitCodes.UsageException(archive + " is not a Swarmgate backup: its " + MANIFEST + " has no format");
            }
        }
    }

    /**
     * Writes the archive, readable by its owner only (it holds private keys). An existing file is
     * never replaced: a backup must not overwrite the one it may be needed instead of.
     *
     * @param snapshot an H2 {@code BACKUP TO} zip holding the one database file
     */
    static void write(Path file, Manifest manifest, Path snapshot, Path pkiDir, Path config, Path logging)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
                put(zip, MANIFEST, manifest.text().getBytes(StandardCharsets.UTF_8));
                copyDatabase(zip, snapshot);
                try (Stream<Path> files = Files.list(pkiDir)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        putFile(zip, "pki/" + f.getFileName(), f);
                    }
                }
                if (config != null) {
                    putFile(zip, CONFIG_ENTRIES.get(0), config);
                }
                if (logging != null) {
                    putFile(zip, CONFIG_ENTRIES.get(1), logging);
                }
            }
            try {
                Files.move(tmp, file);
            } catch (FileAlreadyExistsException e) {
                throw new ExitCodes.UsageException(file + " exists; choose another name or a directory for --out");
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void copyDatabase(ZipOutputStream zip, Path snapshot) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(snapshot))) {
            int databases = 0;
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().endsWith(".mv.db")) {
                    zip.putNextEntry(new ZipEntry(DATABASE));
                    in.transferTo(zip);
                    zip.closeEntry();
                    databases++;
                }
            }
            if (databases != 1) {
                throw new IOException("the database snapshot " + snapshot + " holds " + databases + " database files, expected 1");
            }
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    private static void putFile(ZipOutputStream zip, String name, Path file) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        Files.copy(file, zip);
        zip.closeEntry();
    }

    /** Reads the manifest, refusing files that are not backups of a format this build reads. */
    static Manifest manifest(Path archive) throws IOException {
        try (ZipFile zip = open(archive)) {
            ZipEntry entry = zip.getEntry(MANIFEST);
            if (entry == null) {
                throw new ExitCodes.UsageException(archive + " is not a Swarmgate backup (no " + MANIFEST + ")");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                Manifest m = Manifest.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), archive);
                if (m.format() != FORMAT) {
                    throw new ExitCodes.UsageException(archive + " is a backup in format " + m.format()
                            + " (Swarmgate " + m.version() + "); this Swarmgate reads format " + FORMAT
                            + ": restore it with that version or newer");
                }
                if (zip.getEntry(DATABASE) == null) {
                    throw new ExitCodes.UsageException(archive + " holds no database (" + DATABASE + ")");
                }
                return m;
            }
        }
    }

    /** Unpacks the archive into {@code dir} (db/, pki/, config/), files readable by the owner only. */
    static void extract(Path archive, Path dir) throws IOException {
        try (ZipFile zip = open(archive)) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                String name = e.getName();
                if (name.equals(MANIFEST)) {
                    continue;
                }
                if (!name.equals(DATABASE) && !PKI_ENTRY.matcher(name).matches() && !CONFIG_ENTRIES.contains(name)) {
                    throw new ExitCodes.UsageException(archive + " holds an unexpected entry '" + name
                            + "'; it was not written by 'swarmgate backup'");
                }
                Path target = dir.resolve(name);
                Files.createDirectories(target.getParent(),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                try (InputStream in = zip.getInputStream(e);
                     OutputStream out = Files.newOutputStream(Files.createFile(target,
                             PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                             StandardOpenOption.WRITE)) {
                    in.transferTo(out);
                }
            }
        }
    }

    private static ZipFile open(Path archive) throws IOException {
        if (Files.exists(archive) && !Files.isReadable(archive)) {
            throw new ExitCodes.UsageException("cannot read " + archive + ": permission denied (run as root, swarmgate"
                    + " acts as the swarmgate account: give it the file, e.g. install -o swarmgate -m 0600 FILE /tmp/)");
        }
        try {
            return new ZipFile(archive.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new ExitCodes.UsageException(archive + " is not a Swarmgate backup (not a zip archive: " + e.getMessage() + ")");
        } catch (java.nio.file.FileSystemException | java.io.FileNotFoundException e) {
            throw new ExitCodes.UsageException("cannot read " + archive + ": " + e.getMessage());
        }
    }
}
