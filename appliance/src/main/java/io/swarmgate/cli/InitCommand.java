package io.swarmgate.cli;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.config.ConfigLoader;
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
 * current schema, appliance CA and server certificate — and sets {@code security.intranet-origins}
 * in the configuration file when it is not set: asked for on a terminal, otherwise
 * {@code https://<host name>} (the first {@code server.hostnames} entry, else the machine's name).
 * Safe to run again: what exists is kept.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Prepare the data directory: database, appliance CA and server certificate,",
            "and set security.intranet-origins in the configuration file if it is not set (asked for on a",
            "terminal, else https://<host name>). Running it again keeps everything that already exists."})
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
        try (Database db = Database.open(dataDir, 2, true);
             io.swarmgate.audit.Audit audit = io.swarmgate.audit.Audit.open(db.dataSource(), pki,
                     dataDir.exportDir(), java.time.Clock.systemUTC())) {
            schema = db.schemaVersion();
            createdAdmin = AdminAccounts.open(config.auth(), db, dataDir, java.time.Clock.systemUTC(), audit)
                    .ensureFirstAdmin(dataDir.initialPasswordFile(), io.swarmgate.audit.Actor.currentCliUser());
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
        intranetOrigins(config, out);
        if (createdPki) {
            out.println();
            out.println("Distribute " + pki.caCertificateFile() + " to your browsers' trust stores (for example");
            out.println("through group policy), or replace the server certificate with one from your enterprise CA:");
            out.println("  swarmgate cert csr --out swarmgate.csr   then   swarmgate cert import signed-chain.pem");
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Sets {@code security.intranet-origins} in the configuration file when it is empty: the page
     * origins besides the appliance's own that may join streams without an origin list.
     */
    private void intranetOrigins(ApplianceConfig config, PrintWriter out) throws java.io.IOException {
        if (!config.security().intranetOrigins().isEmpty()) {
            out.println("Intranet origins (kept): " + String.join(", ", config.security().intranetOrigins()));
            return;
        }
        String suggested = "https://" + (config.server().hostnames().isEmpty() ? machineName()
                : config.server().hostnames().get(0));
        String value = suggested;
        java.io.Console console = System.console();
        if (console != null) {
            while (true) {
                String answer = console.readLine("Web pages that may play streams (origins, comma separated) [%s]: ",
                        suggested);
                value = answer == null || answer.isBlank() ? suggested : answer.strip();
                if (validOrigins(value)) {
                    break;
                }
                console.printf("%s%n", "Expected origins like https://intranet.corp.example, comma separated.");
            }
        }
        if (console == null && !validOrigins(value)) {
            out.println("Intranet origins: not set (" + value + " is not a usable origin); set '"
                    + ConfigKey.SECURITY_INTRANET_ORIGINS + "' in the configuration file");
            return;
        }
        java.nio.file.Path file = options.config;
        if (file == null || !java.nio.file.Files.isWritable(file)) {
            out.println("Intranet origins: add '" + ConfigKey.SECURITY_INTRANET_ORIGINS + " = " + value
                    + "' to the configuration file; until then only the appliance's own pages may join streams");
            return;
        }
        String text = java.nio.file.Files.readString(file);
        String line = ConfigKey.SECURITY_INTRANET_ORIGINS + " = " + value;
        String updated = text.replaceFirst("(?m)^#?\\s*" + java.util.regex.Pattern.quote(ConfigKey.SECURITY_INTRANET_ORIGINS)
                + "\\s*=\\s*$", java.util.regex.Matcher.quoteReplacement(line));
        if (updated.equals(text)) {
            updated = text + (text.endsWith("\n") || text.isEmpty() ? "" : "\n") + line + "\n";
        }
        java.nio.file.Files.writeString(file, updated);
        out.println("Intranet origins: " + value + " (set in " + file + "; change it there)");
    }

    private static boolean validOrigins(String value) {
        try {
            ConfigLoader.load(null, java.util.Map.of(), java.util.Map.of(ConfigKey.SECURITY_INTRANET_ORIGINS, value));
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private static String machineName() {
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
