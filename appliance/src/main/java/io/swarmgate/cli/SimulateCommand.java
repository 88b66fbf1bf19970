package io.swarmgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.sim.Scenario;
import io.swarmgate.sim.SimResult;
import io.swarmgate.sim.SwarmSimulation;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code swarmgate simulate}: a large event played on the real coordinator, in this process, on simulated time. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Play a scripted live event on the real mesh coordinator, in this process, on a "
                + "simulated clock (no sockets, no waiting): 80 %% of the viewers join in the first 5 minutes, "
                + "some leave and come back, leaders vanish mid-segment, a site's WAN link flaps; every live "
                + "segment spreads through the neighbours and leaders the coordinator chose.",
                "Progress on stderr, one JSON line on stdout (keys in docs/scaling.md). Nothing is read from "
                + "or written to a data directory."})
public final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--viewers", required = true, paramLabel = "N", description = "Viewers in the event (1..2000000).")
    int viewers;

    @Option(names = "--sites", required = true, paramLabel = "K", description = "Offices they watch from (1..viewers).")
    int sites;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of every random draw: the same seed gives the same result (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "900",
            description = "Length of the event in simulated seconds, 60..14400 (default: ${DEFAULT-VALUE}).")
    long durationS;

    @Option(names = "--firewalled", paramLabel = "SHARE", defaultValue = "0",
            description = "Share of the viewers whose endpoint firewall blocks WebRTC, 0..0.5: their pairings "
                    + "fail after the SDK's 5 s connection timeout and are reported, and they take every "
                    + "segment over the WAN (default: ${DEFAULT-VALUE}).")
    double firewalledShare;

    @Option(names = "--connect-ms", paramLabel = "MS", defaultValue = "" + Scenario.DEFAULT_CONNECT_MEDIAN_MS,
            description = "Median time from the appliance pairing two viewers to their data channel opening "
                    + "(log-normal, p99 about 5 times it), 0..5000; a joiner's channels also wait for its "
                    + "player's start (1 s). 0: at once, with no wait (default: ${DEFAULT-VALUE}).")
    int connectMedianMs;

    @Option(names = "--start-segments", paramLabel = "N", defaultValue = "" + Scenario.DEFAULT_START_SEGMENTS,
            description = "Segments behind the live edge a joining viewer's player starts at and loads one after "
                    + "another, 0..10 (hls.js: 3); each crosses the WAN unless a channel to a neighbour holding it "
                    + "is open when the player asks. 0: joiners' start segments are not counted "
                    + "(default: ${DEFAULT-VALUE}).")
    int startSegments;

    @Override
    public Integer call() throws Exception {
        Logging.quiet();
        Scenario scenario;
        try {
            scenario = Scenario.of(viewers, sites, seed, durationS * 1000).withFirewalled(firewalledShare)
                    .withConnectMedianMs(connectMedianMs).withStartSegments(startSegments);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        err.printf("simulate: %d viewers over %d sites, %d s, seed %d, channels open %s, players start %d segments "
                        + "behind the edge%s%n", viewers, sites, durationS, seed,
                connectMedianMs > 0 ? connectMedianMs + " ms after pairing (median)" : "at once", startSegments,
                firewalledShare > 0 ? String.format(", %.1f %% firewalled", firewalledShare * 100) : "");
        err.flush();
        SimResult result = new SwarmSimulation(scenario).run(line -> {
            err.println(line);
            err.flush();
        });
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writeValueAsString(result.toJson()));
        out.flush();
        return ExitCodes.OK;
    }
}
