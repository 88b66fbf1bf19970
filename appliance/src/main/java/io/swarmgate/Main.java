package io.swarmgate;

import io.swarmgate.cli.AdminAccountsCommand;
import io.swarmgate.cli.AuditCommand;
import io.swarmgate.cli.BackupCommand;
import io.swarmgate.cli.CertCommand;
import io.swarmgate.cli.DiscoverCommand;
import io.swarmgate.cli.ExitCodes;
import io.swarmgate.cli.InitCommand;
import io.swarmgate.cli.RestoreCommand;
import io.swarmgate.cli.ServeCommand;
import io.swarmgate.cli.SimulateCommand;
import io.swarmgate.cli.SiteCommand;
import io.swarmgate.cli.StreamCommand;
import io.swarmgate.cli.VersionCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code swarmgate} command. Exit codes: 0 success, 1 runtime failure, 2 usage or
 * configuration error (the message names the offending flag or key).
 */
@Command(name = "swarmgate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Swarmgate: peer-assisted video delivery inside the corporate network.",
        subcommands = {
            ServeCommand.class,
            InitCommand.class,
            CertCommand.class,
            AdminAccountsCommand.class,
            SiteCommand.class,
            StreamCommand.class,
            AuditCommand.class,
            BackupCommand.class,
            RestoreCommand.class,
            VersionCommand.class,
            DiscoverCommand.class,
            SimulateCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.",
            "Run 'swarmgate COMMAND --help' for a command's options."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code; used by {@link #main} and by tests. */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new Main(), new Factory());
        cli.setExitCodeExceptionMapper(ExitCodes::forException);
        cli.setExecutionExceptionHandler(ExitCodes::handleExecutionException);
        cli.setParameterExceptionHandler(ExitCodes::handleParameterException);
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Creates the subcommands, handing {@code serve} the appliance it starts. */
    private static final class Factory implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == ServeCommand.class) {
                return type.cast(new ServeCommand(Appliance::start));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
