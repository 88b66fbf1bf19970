package io.swarmgate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code swarmgate version}: the build's version, for support tickets and upgrade checks. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the Swarmgate version and the Java runtime it runs on.")
public final class VersionCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The version from the jar manifest; {@code dev} when running from classes. */
    public static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().printf("swarmgate %s%njava %s (%s)%n", version(),
                System.getProperty("java.version"), System.getProperty("java.vendor"));
        return ExitCodes.OK;
    }

    /** Supplies {@code swarmgate --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"swarmgate " + version()};
        }
    }
}
