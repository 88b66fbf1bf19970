package io.swarmgate;

import io.swarmgate.config.ConfigKey;
import io.swarmgate.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** A real appliance for tests: loopback only, HTTPS and plain HTTP on ephemeral ports, its own data directory. */
public final class TestAppliance {

    private TestAppliance() {
    }

    /** Starts it with these settings on top of the test defaults. */
    public static Appliance start(Path dataDir, Clock clock, Map<String, String> overrides) throws Exception {
        Map<String, String> flags = new HashMap<>(Map.of(
                ConfigKey.DATA_DIR, dataDir.toString(),
                ConfigKey.SERVER_BIND, "127.0.0.1",
                ConfigKey.SERVER_HTTPS_PORT, "0",
                ConfigKey.SERVER_HTTP_PORT, "0",
                // The STUN responder on a free UDP port: tests run side by side on one machine.
                ConfigKey.STUN_PORT, "0",
                // No load balancer to wait for: a stop tells viewers to move at once.
                ConfigKey.SERVER_DRAIN_MS, "0"));
        flags.putAll(overrides);
        return Appliance.start(ConfigLoader.load(null, Map.of(), flags), clock);
    }

    public static Appliance start(Path dataDir) throws Exception {
        return start(dataDir, Clock.systemUTC(), Map.of());
    }
}
