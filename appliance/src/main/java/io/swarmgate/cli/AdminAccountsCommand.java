package io.swarmgate.cli;

import io.swarmgate.console.AdminAccount;
import io.swarmgate.console.Role;
import io.swarmgate.control.AdminContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swarmgate admin add|passwd|list|disable|enable}: console and API administrators. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"Administrators of the console and the REST API.",
            "Roles: admin (everything), operator (streams, policies, sites), auditor (read-only, exports)."},
        subcommands = {AdminAccountsCommand.Add.class, AdminAccountsCommand.Passwd.class, AdminAccountsCommand.ListAdmins.class,
            AdminAccountsCommand.Disable.class, AdminAccountsCommand.Enable.class})
public final class AdminAccountsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, passwd, list, disable or enable");
    }

    static Role role(String value) {
        return Role.fromWire(value).orElseThrow(() -> new ExitCodes.UsageException(
                "--role must be admin, operator or auditor, not '" + value + "'"));
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create an administrator with a one-time password, to be changed at first login.")
    static final class Add extends ForwardingCommand {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, operator or auditor.")
        String role;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            String password = context.accounts().add(username, role(role), context.actor());
            out.println("Administrator " + username + " (" + role + ") created. One-time password: " + password);
            out.println("It must be changed at the first login.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = {"Give an administrator a new one-time password, or set one read from standard input",
                "(--password-stdin; at least 12 characters). Ends the account's console sessions and sign-in back-off."})
    static final class Passwd extends ForwardingCommand {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Option(names = "--password-stdin", description = "Read the new password from standard input.")
        boolean fromStdin;

        @Override
        protected List<Path> inputFiles() {
            return fromStdin ? List.of(Path.of("-")) : List.of();
        }

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            if (fromStdin) {
                String password = read(context, Path.of("-")).strip();
                context.accounts().setPassword(username, password, false, context.actor());
                out.println("Password of " + username + " set.");
            } else {
                String password = context.accounts().resetPassword(username, context.actor());
                out.println("One-time password of " + username + ": " + password + " (to be changed at the next login)");
            }
            // As a reset in the console: the account's open sessions end. A stopped appliance has none.
            if (context.sessions() != null) {
                context.sessions().invalidateUser(username);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List administrators. While the appliance runs, also each account's sign-in back-off",
                "(kept in the appliance's memory only, so not shown when it is stopped)."})
    static final class ListAdmins extends ForwardingCommand {
        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            // The back-off is known only to the running appliance; a stopped one has none to show.
            boolean live = inAppliance();
            String format = live ? "%-24s %-9s %-9s %-34s %s%n" : "%-24s %-9s %-9s %s%n";
            out.printf(format, live ? new Object[] {"USERNAME", "ROLE", "STATE", "SIGN-IN", "LAST LOGIN"}
                    : new Object[] {"USERNAME", "ROLE", "STATE", "LAST LOGIN"});
            for (AdminAccount a : context.accounts().list()) {
                String state = a.disabled() ? "disabled" : a.mustChangePassword() ? "new" : "active";
                String lastLogin = a.lastLoginAt() == null ? "never" : a.lastLoginAt().toString();
                if (live) {
                    Optional<Instant> delayed = context.accounts().throttledUntil(a.username());
                    out.printf(format, a.username(), a.role().wire(), state, delayed
                            .map(t -> "delayed until " + t.truncatedTo(ChronoUnit.SECONDS)).orElse("allowed"), lastLogin);
                } else {
                    out.printf(format, a.username(), a.role().wire(), state, lastLogin);
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an administrator: no more logins, open sessions end.")
    static final class Disable extends ForwardingCommand {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            context.accounts().setDisabled(username, true, context.actor());
            out.println("Administrator " + username + " disabled.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled administrator again.")
    static final class Enable extends ForwardingCommand {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            context.accounts().setDisabled(username, false, context.actor());
            out.println("Administrator " + username + " enabled.");
            return ExitCodes.OK;
        }
    }
}
