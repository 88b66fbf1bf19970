package io.swarmgate.cli;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.DatabaseException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code swarmgate serve}: runs the appliance until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the appliance: HTTPS on 8443 by default with the appliance's own certificate.",
            "A first start without 'swarmgate init' creates the data directory, database and PKI."})
public final class ServeCommand implements Callable<Integer> {

    /**
     * Starts the appliance. The appliance is wired in the root package, above the CLI, so
     * {@code Main} hands its start method in rather than this package reaching up for it.
     */
    @FunctionalInterface
    public interface Starter {
        Running start(ApplianceConfig config, Clock clock) throws Exception;
    }

    /** A started appliance, as far as {@code serve} needs it; closing it stops it. */
    public interface Running extends AutoCloseable {
        /** Every listener's URI. */
        List<URI> uris();

        URI httpsUri();

        /** {@code null} when plain HTTP is disabled. */
        URI httpUri();
    }

    private final Starter starter;

    public ServeCommand(Starter starter) {
        this.starter = starter;
    }

    @Mixin
    ConfigOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: every interface).")
    String bind;

    @Option(names = "--https-port", paramLabel = "N", description = "HTTPS port (default 8443; 0 picks a free port).")
    Integer httpsPort;

    @Option(names = "--http-port", paramLabel = "N",
            description = "Also listen for plain HTTP on this port (development, tests, or behind a TLS proxy).")
    Integer httpPort;

    @Option(names = "--demo", description = "Serve the demo intranet page and built-in test streams under /demo/.")
    boolean demo;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        if (bind != null) {
            flags.put(ConfigKey.SERVER_BIND, bind);
        }
        if (httpsPort != null) {
            flags.put(ConfigKey.SERVER_HTTPS_PORT, httpsPort.toString());
        }
        if (httpPort != null) {
            flags.put(ConfigKey.SERVER_HTTP_PORT, httpPort.toString());
        }
        if (demo) {
            flags.put(ConfigKey.DEMO_ENABLED, "true");
        }
        ApplianceConfig config = options.load(flags);
        DataDirectory dataDir = new DataDirectory(config.dataDir()).create();
        Logging.start(config, dataDir.logDir());

        Running appliance;
        try {
            appliance = starter.start(config, Clock.systemUTC());
        } catch (DatabaseException e) {
            throw new ExitCodes.CommandFailedException(e.getMessage(), e);
        } catch (java.io.IOException e) {
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new ExitCodes.CommandFailedException("cannot listen: " + e.getMessage()
                        + " (is another Swarmgate or service using the port? choose one with --https-port/--http-port)", e);
            }
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Swarmgate " + VersionCommand.version() + " is serving:");
        appliance.uris().forEach(uri -> out.println("  " + uri));
        if (config.demo().enabled()) {
            URI base = appliance.httpUri() != null ? appliance.httpUri() : appliance.httpsUri();
            out.println("  demo page: " + base.resolve("/demo/"));
        }
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                appliance.close();
            } catch (Exception e) {
                System.err.println("swarmgate: error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }
}
