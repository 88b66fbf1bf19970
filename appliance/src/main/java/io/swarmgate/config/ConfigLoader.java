package io.swarmgate.config;

import io.swarmgate.mesh.NetworkSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link ApplianceConfig} from, in increasing precedence: built-in defaults, the
 * configuration file, {@code SWARMGATE_*} environment variables and command-line flags. Every
 * value is parsed and range-checked here, once; anything wrong raises a {@link ConfigException}
 * naming the key.
 */
public final class ConfigLoader {

    /** Environment variables with this prefix that belong to the launcher, not to configuration. */
    private static final List<String> LAUNCHER_VARIABLES = List.of("SWARMGATE_JAVA_OPTS", "SWARMGATE_JAR");

    private ConfigLoader() {
    }

    /**
     * @param file  configuration file, or {@code null} for none
     * @param env   the process environment (only {@code SWARMGATE_*} entries are read)
     * @param flags key → raw value from command-line flags
     */
    public static ApplianceConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey key : ConfigKey.all().values()) {
            values.put(key.name(), key.parse(key.defaultValue(), "built-in default"));
        }
        if (file != null) {
            readFile(file).forEach((name, line) -> apply(values, name, line.value, file + ":" + line.number));
        }
        readEnvironment(env).forEach((name, raw) -> apply(values, name, raw, "environment " + ConfigKey.find(name).environmentName()));
        flags.forEach((name, raw) -> apply(values, name, raw, "command line"));
        return build(values);
    }

    private static void apply(Map<String, Object> values, String name, String raw, String source) {
        ConfigKey key = ConfigKey.find(name);
        if (key == null) {
            throw unknown(name, source);
        }
        values.put(name, key.parse(raw, source));
    }

    private static ConfigException unknown(String name, String source) {
        return new ConfigException(name, "unknown configuration key (" + source + "); did you mean '"
                + ConfigKey.closest(name) + "'? Every key is listed in config/swarmgate.conf");
    }

    private record Line(int number, String value) {
    }

    private static Map<String, Line> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(null, "configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, Line> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            int number = i + 1;
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(null, file + ":" + number + ": expected 'key = value' but found '" + text + "'");
            }
            String name = text.substring(0, eq).strip();
            String value = text.substring(eq + 1).strip();
            if (ConfigKey.find(name) == null) {
                throw unknown(name, file + ":" + number);
            }
            Line previous = entries.put(name, new Line(number, value));
            if (previous != null) {
                throw new ConfigException(name, "set twice in " + file + " (lines " + previous.number + " and "
                        + number + "); keep one");
            }
        }
        return entries;
    }

    private static Map<String, String> readEnvironment(Map<String, String> env) {
        Map<String, String> byEnvName = new HashMap<>();
        for (ConfigKey key : ConfigKey.all().values()) {
            byEnvName.put(key.environmentName(), key.name());
        }
        Map<String, String> result = new LinkedHashMap<>();
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith("SWARMGATE_") && !LAUNCHER_VARIABLES.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String name = byEnvName.get(e.getKey());
                    if (name == null) {
                        String guess = e.getKey().substring("SWARMGATE_".length()).toLowerCase().replace('_', '.');
                        throw new ConfigException(e.getKey(), "unknown environment variable; did you mean "
                                + ConfigKey.find(ConfigKey.closest(guess)).environmentName() + "?");
                    }
                    result.put(name, e.getValue());
                });
        return result;
    }

    @SuppressWarnings("unchecked")
    private static ApplianceConfig build(Map<String, Object> v) {
        int httpsPort = (Integer) v.get(ConfigKey.SERVER_HTTPS_PORT);
        int httpPort = (Integer) v.get(ConfigKey.SERVER_HTTP_PORT);
        if (httpsPort != 0 && httpsPort == httpPort) {
            throw new ConfigException(ConfigKey.SERVER_HTTP_PORT, "is the same as " + ConfigKey.SERVER_HTTPS_PORT
                    + " (" + httpPort + "); choose another port or -1 to disable plain HTTP");
        }
        for (String host : (List<String>) v.get(ConfigKey.SERVER_HOSTNAMES)) {
            if (!host.matches("[A-Za-z0-9.*:-]+")) {
                throw new ConfigException(ConfigKey.SERVER_HOSTNAMES, "'" + host
                        + "' is not a host name or IP address");
            }
        }
        int target = (Integer) v.get(ConfigKey.MESH_TARGET_DEGREE);
        int maxNeighbours = (Integer) v.get(ConfigKey.MESH_MAX_NEIGHBOURS);
        if (maxNeighbours < target) {
            throw new ConfigException(ConfigKey.MESH_MAX_NEIGHBOURS, "(" + maxNeighbours + ") is below "
                    + ConfigKey.MESH_TARGET_DEGREE + " (" + target + ")");
        }
        return new ApplianceConfig(
                new ApplianceConfig.Server(
                        (String) v.get(ConfigKey.SERVER_BIND),
                        httpsPort,
                        httpPort,
                        (List<String>) v.get(ConfigKey.SERVER_HOSTNAMES),
                        (Integer) v.get(ConfigKey.SERVER_SHUTDOWN_TIMEOUT_MS),
                        (Integer) v.get(ConfigKey.SERVER_MAX_THREADS),
                        (Integer) v.get(ConfigKey.SERVER_ACCEPT_QUEUE_SIZE)),
                Path.of((String) v.get(ConfigKey.DATA_DIR)).toAbsolutePath().normalize(),
                new ApplianceConfig.Database((Integer) v.get(ConfigKey.DATABASE_POOL_SIZE)),
                new ApplianceConfig.Logging((String) v.get(ConfigKey.LOG_LEVEL), (Boolean) v.get(ConfigKey.LOG_REQUESTS)),
                new ApplianceConfig.Demo((Boolean) v.get(ConfigKey.DEMO_ENABLED), (Integer) v.get(ConfigKey.DEMO_LIVE_WINDOW)),
                new ApplianceConfig.Mesh(target, maxNeighbours, (Integer) v.get(ConfigKey.MESH_LEADERS_PER_SITE),
                        (Boolean) v.get(ConfigKey.MESH_UPLOAD_ON_CELLULAR),
                        networks(v, ConfigKey.MESH_TRUSTED_NETWORKS), networks(v, ConfigKey.MESH_CANDIDATE_NETWORKS),
                        (Integer) v.get(ConfigKey.MESH_RESUME_GRACE_MS)),
                new ApplianceConfig.Signaling(networks(v, ConfigKey.SIGNALING_TRUSTED_PROXIES),
                        (Integer) v.get(ConfigKey.SIGNALING_MAX_CONNECTIONS_PER_IP),
                        (Integer) v.get(ConfigKey.SIGNALING_MESSAGES_PER_SECOND),
                        (Integer) v.get(ConfigKey.SIGNALING_MESSAGE_BURST),
                        (Integer) v.get(ConfigKey.SIGNALING_HEARTBEAT_MS),
                        (Integer) v.get(ConfigKey.SIGNALING_HELLO_TIMEOUT_MS)),
                new ApplianceConfig.Auth((Integer) v.get(ConfigKey.AUTH_LOCKOUT_FAILURES),
                        (Integer) v.get(ConfigKey.AUTH_LOCKOUT_MINUTES),
                        (Integer) v.get(ConfigKey.AUTH_SESSION_IDLE_MINUTES),
                        (Integer) v.get(ConfigKey.AUTH_SESSION_ABSOLUTE_HOURS),
                        (Integer) v.get(ConfigKey.AUTH_ARGON2_MEMORY_KIB),
                        (Integer) v.get(ConfigKey.AUTH_ARGON2_ITERATIONS)),
                new ApplianceConfig.Diagnostics((Boolean) v.get(ConfigKey.DIAGNOSTICS_HEAP_ENDPOINT)),
                new ApplianceConfig.Qoe((Integer) v.get(ConfigKey.QOE_FLUSH_INTERVAL_MS),
                        (Integer) v.get(ConfigKey.QOE_MAX_UNFLUSHED_ROWS),
                        (Integer) v.get(ConfigKey.QOE_ROLLUP_INTERVAL_MS),
                        (Integer) v.get(ConfigKey.QOE_MINUTE_RETENTION_DAYS),
                        (Integer) v.get(ConfigKey.QOE_HOUR_RETENTION_DAYS)),
                new ApplianceConfig.Metrics(networks(v, ConfigKey.METRICS_ALLOWED_NETWORKS)));
    }

    /** A list of CIDRs, each checked strictly so a typo stops the start instead of opening a hole. */
    @SuppressWarnings("unchecked")
    private static List<String> networks(Map<String, Object> v, String key) {
        List<String> cidrs = (List<String>) v.get(key);
        try {
            NetworkSet.of(cidrs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
        return cidrs;
    }
}
