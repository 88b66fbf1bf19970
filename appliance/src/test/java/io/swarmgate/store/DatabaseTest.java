package io.swarmgate.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path tmp;

    /** The newest migration shipped with this build, read from the migration files themselves. */
    static final int LATEST = latestMigration();

    private static int latestMigration() {
        return h2Migrations().stream().mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max()
                .orElseThrow();
    }

    private static int migrationCount() {
        return h2Migrations().size();
    }

    /** The scripts H2 runs: the common ones and H2's versions of the divergent ones. */
    private static java.util.List<String> h2Migrations() {
        java.util.List<String> names = new java.util.ArrayList<>(scripts("db/migration"));
        names.addAll(scripts("db/vendor/h2"));
        return names;
    }

    private static java.util.List<String> scripts(String folder) {
        try (var files = Files.list(Path.of("src/main/resources").resolve(folder))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql")).sorted()
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void everyVendorSpecificMigrationExistsForBothDatabasesAndNowhereElse() {
        assertEquals(scripts("db/vendor/h2"), scripts("db/vendor/postgresql"));
        for (String name : scripts("db/vendor/h2")) {
            String version = name.substring(0, name.indexOf("__") + 2);
            assertTrue(scripts("db/migration").stream().noneMatch(n -> n.startsWith(version)),
                    name + " is both common and vendor-specific");
        }
    }

    @Test
    void freshDatabaseIsCreatedAndMigratedInAPrivateDirectory() throws Exception {
        DataDirectory dir = new DataDirectory(tmp.resolve("data")).create();
        try (Database db = Database.open(dir, 2, true)) {
            assertEquals(String.valueOf(LATEST), db.schemaVersion());
            assertTrue(db.readiness().ready());
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM appliance")) {
                assertTrue(rs.next());
            }
        }
        assertTrue(Files.exists(dir.databaseFile()));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.root())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.databaseDir())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.databaseFile())));
    }

    @Test
    void existingDatabaseKeepsItsDataAndIsNotMigratedTwice() throws Exception {
        DataDirectory dir = new DataDirectory(tmp.resolve("data")).create();
        try (Database db = Database.open(dir, 2, true); Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO appliance VALUES (1, RANDOM_UUID(), CURRENT_TIMESTAMP, 'test')");
        }
        try (Database db = Database.open(dir, 2, false); Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            assertEquals(String.valueOf(LATEST), db.schemaVersion());
            try (ResultSet rs = s.executeQuery("SELECT created_by FROM appliance")) {
                assertTrue(rs.next());
                assertEquals("test", rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"type\" = 'SQL'")) {
                rs.next();
                assertEquals(migrationCount(), rs.getInt(1), "each migration applied exactly once");
            }
        }
    }

    @Test
    void databaseWrittenByANewerVersionIsRefused() throws Exception {
        DataDirectory dir = new DataDirectory(tmp.resolve("data")).create();
        try (Database db = Database.open(dir, 2, true); Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\","
                    + " \"script\", \"checksum\", \"installed_by\", \"installed_on\", \"execution_time\", \"success\")"
                    + " VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 0, 'test',"
                    + " CURRENT_TIMESTAMP, 1, TRUE)");
        }
        DatabaseException e = assertThrows(DatabaseException.class, () -> Database.open(dir, 2, false));
        assertTrue(e.getMessage().contains("written by a newer Swarmgate (schema version 99"), e.getMessage());
        assertTrue(e.getMessage().contains("this build knows up to " + LATEST), e.getMessage());
    }

    @Test
    void missingDatabaseIsNotSilentlyCreatedWhenCreationIsNotAllowed() {
        DataDirectory dir = new DataDirectory(tmp.resolve("data")).create();
        DatabaseException e = assertThrows(DatabaseException.class, () -> Database.open(dir, 2, false));
        assertTrue(e.getMessage().contains("swarmgate init"), e.getMessage());
        assertFalse(Files.exists(dir.databaseFile()));
    }

    @Test
    void readinessReportsAMissingDatabaseFile() throws Exception {
        DataDirectory dir = new DataDirectory(tmp.resolve("data")).create();
        try (Database db = Database.open(dir, 2, true)) {
            Files.delete(dir.databaseFile());
            Database.Readiness r = db.readiness();
            assertFalse(r.ready());
            assertEquals("missing", r.status());
        }
    }
}
