package io.swarmgate.cli;

import io.swarmgate.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Maps outcomes to the exit-code contract: 0 ok, 1 runtime failure, 2 usage or configuration
 * error. Expected failures print one line on stderr that names the problem and what to do;
 * only unexpected exceptions print a stack trace.
 */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private ExitCodes() {
    }

    public static int forException(Throwable e) {
        return e instanceof ConfigException || e instanceof UsageException || e instanceof ParameterException
                ? USAGE : FAILURE;
    }

    public static int handleParameterException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("swarmgate: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        }
        return USAGE;
    }

    public static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (e instanceof ConfigException) {
            err.println("swarmgate: configuration error: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof UsageException) {
            err.println("swarmgate: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof CommandFailedException) {
            err.println("swarmgate: " + e.getMessage());
            return FAILURE;
        }
        err.println("swarmgate: unexpected failure: " + e);
        e.printStackTrace(err);
        return FAILURE;
    }

    /** A mistake in how the command was called, beyond what picocli checks itself: exit 2. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    /** The command ran but could not do its job for a reason it can explain: exit 1. */
    public static final class CommandFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CommandFailedException(String message, Throwable cause) {
            super(message, cause);
        }

        public CommandFailedException(String message) {
            super(message);
        }
    }
}
