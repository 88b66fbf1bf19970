package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against a real appliance over {@code wss://}, trusting only its CA ({@code --ca}). */
@Timeout(120)
class LoadGeneratorApplianceIT {

    @TempDir
    Path tmp;
    private Appliance appliance;
    private URI wss;

    @BeforeEach
    void start() throws Exception {
        appliance = TestAppliance.start(tmp.resolve("data"), Clock.systemUTC(), Map.of(
                ConfigKey.LOG_REQUESTS, "false", ConfigKey.MESH_CANDIDATE_NETWORKS, "127.0.0.0/8"));
        wss = URI.create("wss://localhost:" + appliance.httpsUri().getPort() + "/ws");
    }

    @AfterEach
    void stop() throws Exception {
        appliance.close();
    }

    private Map<String, Long> errorKinds;

    private LoadgenReport run(LoadgenSettings settings, ByteArrayOutputStream progress) throws Exception {
        try (LoadGenerator generator = new LoadGenerator(settings, new PrintStream(progress, true, StandardCharsets.UTF_8))) {
            LoadgenReport report = generator.run();
            errorKinds = generator.errorKinds();
            return report;
        }
    }

    @Test
    void viewersJoinGetNeighboursAndRelayOverTls() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        LoadgenReport report = run(new LoadgenSettings(wss, appliance.pki().caCertificateFile(), 120, 4, 200, 2,
                "loadgen", 40, null, null, 30), progress);
        String out = report.toJsonLine() + "\n" + progress.toString(StandardCharsets.UTF_8);
        assertTrue(report.clean(), out);
        assertEquals(120, report.joined(), out);
        assertEquals(0, report.joinedWithoutNeighbour(), out);
        assertTrue(report.relaysSent() >= 40, out);
        assertTrue(out.contains("loadgen: warm-up done: 30/30 joined, 0 errors"), out);
        String measured = out.substring(out.indexOf("loadgen: warm-up done"));
        assertTrue(measured.matches("(?s).*loadgen: phase joins\n.*loadgen: phase joined\n.*loadgen: phase hold\n.*loadgen: phase end\n.*"),
                "the measured run marks its phases in order: " + measured);
        assertEquals(4, out.split("loadgen: phase ", -1).length - 1, "the warm-up round marks none: " + out);
        assertEquals(0, report.relaysLost(), out);
    }

    @Test
    void aCertificateItDoesNotTrustIsAConnectFailureForEveryViewer() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        LoadgenReport report = run(new LoadgenSettings(wss, null, 3, 1, 100, 0, "loadgen", 0, null, null, 0), progress);
        String out = progress.toString(StandardCharsets.UTF_8);
        assertEquals(0, report.joined(), out);
        assertEquals(3, report.errors(), out);
        assertEquals(Map.of("connect_failed", 3L), errorKinds, out);
        assertTrue(out.contains("first connect failure"), out);
    }
}
