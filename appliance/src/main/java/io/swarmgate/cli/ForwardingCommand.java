package io.swarmgate.cli;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.Audit;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.control.AdminContext;
import io.swarmgate.control.Certificates;
import io.swarmgate.control.ControlClient;
import io.swarmgate.policy.PolicyException;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SiteCsv;
import io.swarmgate.policy.SiteRepository;
import io.swarmgate.policy.StreamPolicyRepository;
import io.swarmgate.pki.Pki;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import io.swarmgate.store.DatabaseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * Base of the {@code site}, {@code stream}, {@code admin} and {@code backup} commands: local or forwarded.
 * When the appliance is running, the command line is sent over its control socket and runs there
 * against the live services, so a change reaches connected viewers at once; otherwise it works on
 * the database directly.
 */
abstract class ForwardingCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Does the work; {@link PolicyException} and CSV problems become exit code 2. */
    protected abstract int execute(AdminContext context, PrintWriter out) throws Exception;

    /**
     * Prints what the appliance's run of this command printed. Commands that write local files
     * override it: the appliance must never write into the caller's file system.
     */
    protected int forwardedOutput(String output, PrintWriter out) throws IOException {
        out.print(output);
        return ExitCodes.OK;
    }

    /** Whether this run happens inside the appliance, on behalf of a forwarding CLI. */
    protected static boolean inAppliance() {
        return AdminContext.current() != null;
    }

    /**
     * Checks what picocli cannot (options that depend on each other or on the local file system),
     * in the calling process before anything is forwarded; throws {@link ExitCodes.UsageException}.
     */
    protected void validate() {
    }

    /** Files named on the command line, read here and sent along when forwarding. */
    protected List<Path> inputFiles() {
        return List.of();
    }

    /** The content of an input file: from the forwarded request inside the appliance, else from disk. */
    protected static String read(AdminContext context, Path file) {
        String content = context.files().get(file.toString());
        if (content == null) {
            throw new ExitCodes.UsageException("cannot read " + file);
        }
        return content;
    }

    @Override
    public final Integer call() throws Exception {
        AdminContext live = AdminContext.current();
        if (live != null) {
            return handle(live);
        }
        Logging.quiet();
        validate();
        ApplianceConfig config = options.load();
        DataDirectory dataDir = new DataDirectory(config.dataDir());
        Map<String, String> files = new LinkedHashMap<>();
        for (Path file : inputFiles()) {
            try {
                files.put(file.toString(), "-".equals(file.toString())
                        ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        : Files.readString(file));
            } catch (IOException e) {
                throw new ExitCodes.UsageException("cannot read " + file + ": " + e.getMessage());
            }
        }
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        Optional<ControlClient.Result> forwarded = ControlClient.forward(dataDir.controlSocket(), args, files);
        if (forwarded.isPresent()) {
            ControlClient.Result r = forwarded.get();
            spec.commandLine().getErr().print(r.err());
            spec.commandLine().getErr().flush();
            int code = r.exit() == ExitCodes.OK ? forwardedOutput(r.out(), spec.commandLine().getOut()) : r.exit();
            if (r.exit() != ExitCodes.OK) {
                spec.commandLine().getOut().print(r.out());
            }
            spec.commandLine().getOut().flush();
            return code;
        }
        if (!Files.exists(dataDir.databaseFile())) {
            throw new ExitCodes.CommandFailedException("no database in " + dataDir.root()
                    + "; run 'swarmgate init --data-dir " + dataDir.root() + "' first");
        }
        try (Database db = Database.open(dataDir, config.database().withPoolSize(2), false);
             Audit audit = Audit.open(db.dataSource(), Pki.at(dataDir.pkiDir()), dataDir.exportDir(),
                     Clock.systemUTC())) {
            PolicyService policies = new PolicyService(new SiteRepository(db.dataSource()),
                    new StreamPolicyRepository(db.dataSource()), PolicyService.Defaults.of(config.mesh()),
                    Clock.systemUTC(), audit.log());
            return handle(new AdminContext(policies,
                    AdminAccounts.open(config.auth(), db, dataDir, Clock.systemUTC(), audit), null, files, dataDir,
                    db.dataSource(), audit, Actor.currentCliUser(), new Certificates(Pki.at(dataDir.pkiDir()),
                    config.server().hostnames(), () -> { })));
        } catch (DatabaseException e) {
            throw new ExitCodes.CommandFailedException(e.getMessage(), e);
        }
    }

    private int handle(AdminContext context) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            int code = execute(context, out);
            out.flush();
            return code;
        } catch (io.swarmgate.console.AuthException e) {
            throw "not_found".equals(e.code()) ? new ExitCodes.CommandFailedException(e.getMessage())
                    : new ExitCodes.UsageException(e.getMessage());
        } catch (PolicyException | SiteCsv.CsvException | IllegalArgumentException e) {
            throw new ExitCodes.UsageException(e.getMessage());
        } catch (SQLException e) {
            throw new ExitCodes.CommandFailedException("database error: " + e.getMessage(), e);
        }
    }
}
