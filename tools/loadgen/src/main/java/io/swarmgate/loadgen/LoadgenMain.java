package io.swarmgate.loadgen;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code java -jar tools/loadgen/target/swarmgate-loadgen.jar}: many simulated viewers against a
 * running appliance's {@code /ws}, each on its own loopback source address so the appliance sees
 * {@code --subnets} sites. Progress goes to stderr; the last stdout line is the benchmark's JSON
 * line. Exit 0 when the run was clean (everyone joined, no errors, no lost relays), 1 otherwise,
 * 2 for bad options. A benchmark tool, not part of the appliance: it talks to it only over the wire.
 */
@Command(name = "swarmgate-loadgen", mixinStandardHelpOptions = true,
        versionProvider = LoadgenMain.Version.class,
        description = {"Load-test signaling: simulated viewers join a running appliance, hold, relay ICE candidates, "
            + "and leave; prints one JSON line with join and relay latencies.",
            "Viewer i binds 127.0.S.H (S = 1 + i mod subnets, H = 1 + (i / subnets) mod 254)."},
        footer = {"", "Exit codes: 0 clean run, 1 errors or viewers that did not join, 2 usage error."})
public final class LoadgenMain implements Callable<Integer> {

    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", required = true,
            description = "Signaling URL, for example ws://127.0.0.1:8080/ws or wss://127.0.0.1:8443/ws.")
    URI url;

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM trust anchor for a wss:// URL (the appliance's CA).")
    Path ca;

    @Option(names = "--peers", paramLabel = "N", defaultValue = "" + LoadgenSettings.DEFAULT_PEERS,
            description = "Simulated viewers (default ${DEFAULT-VALUE}).")
    int peers;

    @Option(names = "--subnets", paramLabel = "M", defaultValue = "" + LoadgenSettings.DEFAULT_SUBNETS,
            description = "Distinct /24 source subnets, one site each (default ${DEFAULT-VALUE}).")
    int subnets;

    @Option(names = "--join-rate", paramLabel = "R", defaultValue = "" + LoadgenSettings.DEFAULT_JOIN_RATE,
            description = "Joins per second, paced open-loop (default ${DEFAULT-VALUE}).")
    double joinRate;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "" + LoadgenSettings.DEFAULT_DURATION_SECONDS,
            description = "Seconds to hold once all joined (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--stream", paramLabel = "ID", defaultValue = LoadgenSettings.DEFAULT_STREAM,
            description = "Stream id every viewer plays (default ${DEFAULT-VALUE}).")
    String stream;

    @Option(names = "--streams", paramLabel = "K", defaultValue = "" + LoadgenSettings.DEFAULT_STREAMS,
            description = "Spread the viewers over K streams: viewer i plays <stream>-<i mod K> and connects to "
                    + "<url>?stream=<that stream> as the SDK does, so a proxy can shard by stream; the JSON line "
                    + "adds per_stream joins and join latencies (default ${DEFAULT-VALUE}: every viewer on --stream).")
    int streams;

    @Option(names = "--relay-rate", paramLabel = "R", defaultValue = "" + LoadgenSettings.DEFAULT_RELAY_RATE,
            description = "Candidate signals per second in total during the hold (default ${DEFAULT-VALUE}).")
    double relayRate;

    @Option(names = "--origin", paramLabel = "ORIGIN", description = "Origin header of the WebSocket upgrade.")
    String origin;

    @Option(names = "--server-heap-url", paramLabel = "URL",
            description = "Endpoint answering {\"heapUsedBytes\": N} after a GC; read before and after to report "
                + "heap_per_peer_kib (null without it).")
    URI serverHeapUrl;

    @Option(names = "--warmup-peers", paramLabel = "N", defaultValue = "" + LoadgenSettings.DEFAULT_WARMUP_PEERS,
            description = "Viewers that join, relay and leave before the measured run, so that both sides run "
                + "compiled code; 0 for none (default ${DEFAULT-VALUE}).")
    int warmupPeers;

    @Option(names = "--join-latencies", paramLabel = "FILE",
            description = "After the run, write the join latencies per stream to FILE, one line per stream and "
                    + "recorded value: stream, microseconds, count (tab-separated), to merge over groups of "
                    + "streams, such as those one appliance holds behind a load balancer.")
    Path joinLatencies;

    @Option(names = "--json", description = "Print only the JSON line on stdout (progress stays on stderr).")
    boolean json;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with the exit-code contract: 0 ok, 1 runtime failure, 2 usage error. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new LoadgenMain());
        cli.setParameterExceptionHandler(LoadgenMain::usageError);
        cli.setExecutionExceptionHandler(LoadgenMain::failure);
        return cli;
    }

    private static int usageError(ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("swarmgate-loadgen: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run 'swarmgate-loadgen --help' for usage.");
        }
        return USAGE;
    }

    private static int failure(Exception e, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        err.println("swarmgate-loadgen: unexpected failure: " + e);
        e.printStackTrace(err);
        return FAILURE;
    }

    @Override
    public Integer call() throws Exception {
        LoadgenSettings settings = new LoadgenSettings(url, ca, peers, subnets, joinRate, duration, stream, relayRate,
                origin, serverHeapUrl, warmupPeers, streams);
        try {
            settings.validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (ca != null) {
            try {
                CaTrust.clientContext(ca); // read now: a bad file is a usage error, not a failed run
            } catch (java.io.IOException | java.security.GeneralSecurityException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--ca " + ca + ": not a readable PEM certificate file ("
                        + e.getMessage() + ")", e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintStream stdout = System.out;
        PrintStream err = System.err;
        // Whatever else writes to System.out (a library, a JVM diagnostic) must not get between
        // the caller and the JSON line.
        System.setOut(err);
        try {
            warnAboutLimits(settings, err);
            Thread watchdog = watchdog(settings, err);
            LoadgenReport report;
            CountDownLatch finished = new CountDownLatch(1);
            try (LoadGenerator generator = new LoadGenerator(settings, err)) {
                // Ctrl-C: cut the run short but still say bye, so the appliance is left clean.
                Thread hook = new Thread(() -> {
                    generator.requestStop();
                    awaitQuietly(finished, LoadGenerator.CLOSE_WAIT_MILLIS + 5_000);
                }, "loadgen-interrupt");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    report = generator.run();
                } finally {
                    finished.countDown();
                }
                if (!generator.errorKinds().isEmpty()) {
                    err.println("loadgen: errors by kind " + generator.errorKinds());
                }
                removeHook(hook);
                if (joinLatencies != null) {
                    generator.writeJoinLatencies(joinLatencies);
                }
            }
            watchdog.interrupt();
            if (!json) {
                out.printf("loadgen: %d/%d joined, join p99 %s ms, relay p99 %s ms, %d errors%n", report.joined(),
                        report.peers(), report.joinP99Ms(), report.relayP99Ms(), report.errors());
            }
            out.println(report.toJsonLine());
            out.flush();
            return report.clean() ? OK : FAILURE;
        } finally {
            System.setOut(stdout);
        }
    }

    private static void warnAboutLimits(LoadgenSettings settings, PrintStream err) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os
                && os.getMaxFileDescriptorCount() < settings.peers() + 256L) {
            err.println("loadgen: open-file limit " + os.getMaxFileDescriptorCount() + " is below --peers "
                    + settings.peers() + " plus headroom: raise it (ulimit -n) or connects will fail");
        }
        if (settings.relayRatePerViewer() > 5) {
            err.printf("loadgen: --relay-rate %.0f is %.1f signals/s per viewer; the appliance allows 20/s per "
                    + "connection, so expect rate_limited errors%n", settings.relayRate(), settings.relayRatePerViewer());
        }
        int sharing = new SourceAddresses(settings.subnets()).viewersPerAddress(settings.peers());
        if (sharing > 1) {
            err.println("loadgen: up to " + sharing + " viewers share a source address (more than "
                    + SourceAddresses.HOSTS_PER_SUBNET + " per subnet)");
        }
    }

    /** Ends the JVM if the run overstays its hard stop by much: a benchmark must never hang a script. */
    private static Thread watchdog(LoadgenSettings settings, PrintStream err) {
        long limit = settings.totalHardStopMillis() + TimeUnit.SECONDS.toMillis(30);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(limit);
                err.println("loadgen: still running " + limit / 1000 + " s after start; giving up");
                Runtime.getRuntime().halt(FAILURE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loadgen-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitQuietly(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook has run or is running
        }
    }

    /** {@code --version}: the jar's Implementation-Version, as the appliance's {@code swarmgate version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = LoadgenMain.class.getPackage().getImplementationVersion();
            return new String[] {"swarmgate-loadgen " + (version == null ? "(development build)" : version)};
        }
    }
}
