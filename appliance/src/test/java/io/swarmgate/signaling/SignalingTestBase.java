package io.swarmgate.signaling;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** Starts a real appliance on ephemeral loopback ports and hands out real WebSocket viewers. */
abstract class SignalingTestBase {

    protected Appliance appliance;
    protected URI ws;
    private final List<TestViewer> viewers = new ArrayList<>();
    private Path dataDir;
    private int barriers;

    protected void start(Map<String, String> overrides) throws Exception {
        start(overrides, Clock.systemUTC());
    }

    /** Starts with {@code clock} for the appliance's timers and token checks (e.g. a SettableClock). */
    protected void start(Map<String, String> overrides, Clock clock) throws Exception {
        dataDir = Files.createTempDirectory("swarmgate-signaling");
        Map<String, String> flags = new HashMap<>(Map.of(ConfigKey.LOG_REQUESTS, "false"));
        flags.putAll(overrides);
        appliance = TestAppliance.start(dataDir, clock, flags);
        ws = URI.create("ws://127.0.0.1:" + appliance.httpUri().getPort() + "/ws");
    }

    protected TestViewer viewer(String source) throws Exception {
        return viewer(source, null);
    }

    /** A viewer whose connection goes through a (test) proxy that says it forwards for {@code forwardedFor}. */
    protected TestViewer forwardedViewer(String source, String forwardedFor) throws Exception {
        TestViewer v = TestViewer.connect(ws, source, null, Map.of("X-Forwarded-For", forwardedFor));
        viewers.add(v);
        return v;
    }

    /** A viewer from {@code source} that has joined {@code stream} (its welcome consumed). */
    protected TestViewer joined(String stream, String source) throws Exception {
        TestViewer v = viewer(source);
        v.joinStream(stream);
        return v;
    }

    protected TestViewer viewer(String source, String origin) throws Exception {
        TestViewer v = TestViewer.connect(ws, source, origin);
        viewers.add(v);
        return v;
    }

    /**
     * Returns once the mesh thread has handled every change queued before this call, so every
     * neighbour and leader message those changes cause is queued on its viewer. The mesh thread
     * handles changes one at a time in submission order (SignalingService, "Threading"): a viewer
     * joining a stream of its own queues behind them and gets its leaders message when its join
     * has been handled. Pair with {@link TestViewer#drainThroughPong()} to see everything sent.
     */
    protected void awaitMeshIdle() throws Exception {
        try (TestViewer probe = TestViewer.connect(ws, "127.0.254.1", null)) {
            probe.joinStream("mesh-barrier-" + ++barriers);
            probe.await("leaders");
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (TestViewer v : viewers) {
            try {
                v.close();
            } catch (Exception ignored) {
                // already closed by the server
            }
        }
        if (appliance != null) {
            appliance.close();
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
