package io.swarmgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded H2 database: a connection pool over the file in the data directory, with the schema
 * brought up to date by Flyway when opened. A database last written by a newer Swarmgate (one that
 * has migrations this build does not know) is refused rather than opened, so a downgrade never
 * runs old code against a newer schema.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final String MIGRATIONS = "classpath:db/migration";

    private final DataDirectory dataDir;
    private final HikariDataSource dataSource;
    private final String schemaVersion;

    private Database(DataDirectory dataDir, HikariDataSource dataSource, String schemaVersion) {
        this.dataDir = dataDir;
        this.dataSource = dataSource;
        this.schemaVersion = schemaVersion;
    }

    /**
     * Opens (creating if needed) the database and applies pending migrations.
     *
     * @param create whether a missing database may be created; {@code false} makes a missing file
     *               an error instead of silently starting empty
     */
    public static Database open(DataDirectory dataDir, int poolSize, boolean create) {
        if (!create && !Files.exists(dataDir.databaseFile())) {
            throw new DatabaseException("no database at " + dataDir.databaseFile()
                    + "; run 'swarmgate init --data-dir " + dataDir.root() + "' first");
        }
        HikariConfig hikari = new HikariConfig();
        // IFEXISTS keeps a reconnect after the file vanished from creating an empty database.
        // WRITE_DELAY=0: a commit reaches the file before the call that made it is answered, so a
        // killed process loses no acknowledged change (nor its audit entry); H2's default keeps
        // commits in memory for up to half a second.
        String url = "jdbc:h2:file:" + dataDir.databaseBase() + ";WRITE_DELAY=0" + (create ? "" : ";IFEXISTS=TRUE");
        hikari.setJdbcUrl(url);
        hikari.setUsername("swarmgate");
        hikari.setPassword("");
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(1);
        hikari.setPoolName("swarmgate-db");
        hikari.setConnectionTimeout(5_000);
        hikari.setInitializationFailTimeout(5_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot open database " + dataDir.databaseFile() + ": " + rootMessage(e), e);
        }
        try {
            String version = migrate(ds);
            tighten(dataDir);
            return new Database(dataDir, ds, version);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static String migrate(DataSource ds) {
        Flyway flyway = Flyway.configure()
                .dataSource(ds)
                .locations(MIGRATIONS)
                .validateMigrationNaming(true)
                .load();
        MigrationInfo[] future = Arrays.stream(flyway.info().all())
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS
                        || m.getState() == MigrationState.FUTURE_FAILED)
                .toArray(MigrationInfo[]::new);
        if (future.length > 0) {
            MigrationInfo newest = Arrays.stream(future)
                    .max(Comparator.comparing(MigrationInfo::getVersion)).orElseThrow();
            throw new DatabaseException("the database was written by a newer Swarmgate (schema version "
                    + newest.getVersion() + ", this build knows up to " + latestKnown(flyway)
                    + "); install that version again or restore a backup made by this one");
        }
        MigrateResult result;
        try {
            result = flyway.migrate();
        } catch (RuntimeException e) {
            throw new DatabaseException("database migration failed: " + rootMessage(e), e);
        }
        if (result.migrationsExecuted > 0) {
            LOG.info("database - applied {} migration(s), schema now at version {}", result.migrationsExecuted,
                    result.targetSchemaVersion);
        }
        MigrationInfo current = flyway.info().current();
        return current == null ? "0" : current.getVersion().getVersion();
    }

    private static String latestKnown(Flyway flyway) {
        return Arrays.stream(flyway.info().all())
                .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                .map(MigrationInfo::getVersion)
                .filter(v -> v != null)
                .max(Comparator.naturalOrder())
                .map(v -> v.getVersion())
                .orElse("0");
    }

    private static void tighten(DataDirectory dataDir) {
        try (var files = Files.list(dataDir.databaseDir())) {
            for (var f : (Iterable<java.nio.file.Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            LOG.warn("database - cannot restrict permissions in {}: {}", dataDir.databaseDir(), e.getMessage());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The schema version applied when the database was opened. */
    public String schemaVersion() {
        return schemaVersion;
    }

    /**
     * Readiness as seen by {@code /readyz}: the database file is present and answers a query
     * against the migration history at the version this process migrated to.
     */
    public Readiness readiness() {
        if (!Files.exists(dataDir.databaseFile())) {
            return new Readiness(false, "missing", "database file " + dataDir.databaseFile() + " is missing");
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(2);
            try (ResultSet rs = s.executeQuery(
                    "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" ORDER BY \"installed_rank\" DESC LIMIT 1")) {
                String version = rs.next() ? rs.getString(1) : null;
                if (!schemaVersion.equals(Optional.ofNullable(version).orElse("0"))) {
                    return new Readiness(false, "migrations-pending", "schema is at version " + version
                            + " but this build expects " + schemaVersion);
                }
            }
            return new Readiness(true, "ok", "schema version " + schemaVersion);
        } catch (SQLException | RuntimeException e) {
            return new Readiness(false, "unreachable", rootMessage(e));
        }
    }

    /** Outcome of a readiness check, for {@code /readyz}. */
    public record Readiness(boolean ready, String status, String detail) {
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
