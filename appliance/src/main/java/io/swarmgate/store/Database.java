package io.swarmgate.store;

import com.zaxxer.hikari.HikariConfig;
import io.swarmgate.config.ApplianceConfig;
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
 * The appliance's database: by default the embedded H2 file in the data directory; in cluster mode
 * ({@code database.url}) a PostgreSQL database that several appliances share. Either way a
 * connection pool whose schema Flyway brings up to date when opened, from the same migrations
 * (common ones in {@code db/migration}, the few whose SQL differs in {@code db/vendor/<vendor>},
 * see docs/development.md). A database last written by a newer Swarmgate (one that has migrations
 * this build does not know) is refused rather than opened, so a downgrade never runs old code
 * against a newer schema.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final String MIGRATIONS = "classpath:db/migration";
    private static final String VENDOR_MIGRATIONS = "classpath:db/vendor/";

    private final DataDirectory dataDir;
    private final HikariDataSource dataSource;
    private final String schemaVersion;
    private final Dialect dialect;

    private Database(DataDirectory dataDir, HikariDataSource dataSource, String schemaVersion, Dialect dialect) {
        this.dataDir = dataDir;
        this.dataSource = dataSource;
        this.schemaVersion = schemaVersion;
        this.dialect = dialect;
    }

    /** Opens the embedded H2 database of {@code dataDir}, see {@link #open(DataDirectory, ApplianceConfig.Database, boolean)}. */
    public static Database open(DataDirectory dataDir, int poolSize, boolean create) {
        return open(dataDir, ApplianceConfig.Database.embedded(poolSize), create);
    }

    /**
     * Opens (creating if needed) the database and applies pending migrations.
     *
     * @param create whether a missing H2 database may be created; {@code false} makes a missing file
     *               an error instead of silently starting empty (a PostgreSQL database must exist)
     */
    public static Database open(DataDirectory dataDir, ApplianceConfig.Database config, boolean create) {
        if (!config.shared() && !create && !Files.exists(dataDir.databaseFile())) {
            throw new DatabaseException("no database at " + dataDir.databaseFile()
                    + "; run 'swarmgate init --data-dir " + dataDir.root() + "' first");
        }
        HikariConfig hikari = new HikariConfig();
        Dialect dialect;
        String where;
        if (config.shared()) {
            dialect = Dialect.POSTGRESQL;
            where = config.url();
            hikari.setJdbcUrl(config.url());
            hikari.setUsername(config.user());
            hikari.setPassword(password(config));
        } else {
            dialect = Dialect.H2;
            where = dataDir.databaseFile().toString();
            // IFEXISTS keeps a reconnect after the file vanished from creating an empty database.
            // WRITE_DELAY=0: a commit reaches the file before the call that made it is answered, so a
            // killed process loses no acknowledged change (nor its audit entry); H2's default keeps
            // commits in memory for up to half a second. DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown
            // hook would close the database while the appliance's hook still drains viewers, and the
            // last entries (the QoE flush, `appliance.stopped`) would find it closed; the appliance
            // closes it itself, last.
            hikari.setJdbcUrl("jdbc:h2:file:" + dataDir.databaseBase() + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
                    + (create ? "" : ";IFEXISTS=TRUE"));
            hikari.setUsername("swarmgate");
            hikari.setPassword("");
        }
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setPoolName("swarmgate-db");
        hikari.setConnectionTimeout(5_000);
        hikari.setInitializationFailTimeout(5_000);
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot open database " + where + ": " + rootMessage(e), e);
        }
        try {
            String version = migrate(ds, dialect);
            if (dialect == Dialect.H2) {
                tighten(dataDir);
            }
            return new Database(dataDir, ds, version, dialect);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static String password(ApplianceConfig.Database config) {
        if (config.passwordFile() == null) {
            return "";
        }
        try {
            return Files.readString(config.passwordFile()).strip();
        } catch (java.io.IOException e) {
            throw new DatabaseException("cannot read the database password file " + config.passwordFile() + ": "
                    + e.getMessage(), e);
        }
    }

    private static String migrate(DataSource ds, Dialect dialect) {
        Flyway flyway = Flyway.configure()
                .dataSource(ds)
                .locations(MIGRATIONS, VENDOR_MIGRATIONS + dialect.vendor())
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

    /** Which database this is, for the repositories' few statements that differ. */
    public Dialect dialect() {
        return dialect;
    }

    /** Whether this is a database that several appliances share (cluster mode). */
    public boolean shared() {
        return dialect == Dialect.POSTGRESQL;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The schema version applied when the database was opened. */
    public String schemaVersion() {
        return schemaVersion;
    }

    /**
     * Readiness as seen by {@code /readyz}: the database (file) is present and answers a query
     * against the migration history at the version this process migrated to.
     */
    public Readiness readiness() {
        if (!shared() && !Files.exists(dataDir.databaseFile())) {
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
