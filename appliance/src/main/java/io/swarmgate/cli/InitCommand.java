package io.swarmgate.cli;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.pki.Pki;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import io.swarmgate.store.DatabaseException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code swarmgate init}: prepares a data directory — private directory tree, database at the
 * current schema, appliance CA and server certificate. Safe to run again: what exists is kept.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Prepare the data directory: database, appliance CA and server certificate.",
            "Running it again keeps everything that already exists."})
public final class InitCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        ApplianceConfig config = options.load();
        DataDirectory dataDir = new DataDirectory(config.dataDir()).create();
        Logging.start(config, dataDir.logDir());
        PrintWriter out = spec.commandLine().getOut();

        Pki pki = Pki.at(dataDir.pkiDir());
        boolean createdPki = pki.initialize(config.server().hostnames());
        String schema;
        boolean createdAdmin;
        try (Database db = Database.open(dataDir, 2, true)) {
            schema = db.schemaVersion();
            createdAdmin = AdminAccounts.open(config.auth(), db, dataDir, java.time.Clock.systemUTC())
                    .ensureFirstAdmin(dataDir.initialPasswordFile());
        } catch (DatabaseException e) {
            throw new ExitCodes.CommandFailedException(e.getMessage(), e);
        } catch (java.sql.SQLException | io.swarmgate.console.AuthException e) {
            throw new ExitCodes.CommandFailedException("cannot create the first administrator: " + e.getMessage(), e);
        }
        out.println("Data directory: " + dataDir.root());
        out.println("Database:       " + dataDir.databaseFile() + " (schema version " + schema + ")");
        out.println((createdPki ? "Created CA:     " : "CA (kept):      ") + pki.caCertificateFile());
        out.println("CA fingerprint: SHA-256 " + pki.report().ca().sha256Fingerprint());
        if (createdAdmin) {
            out.println("Administrator:  admin, one-time password "
                    + java.nio.file.Files.readString(dataDir.initialPasswordFile()).strip()
                    + " (also in " + dataDir.initialPasswordFile() + " until it is changed at the first login)");
        }
        if (createdPki) {
            out.println();
            out.println("Distribute " + pki.caCertificateFile() + " to your browsers' trust stores (for example");
            out.println("through group policy), or replace the server certificate with one from your enterprise CA:");
            out.println("  swarmgate cert csr --out swarmgate.csr   then   swarmgate cert import signed-chain.pem");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
