package io.swarmgate.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key the appliance accepts, with its type, default and limits. This is the
 * one list the file parser, the environment mapping, validation and {@code config/swarmgate.conf}
 * agree on; a key that is not here is rejected at start-up.
 */
public final class ConfigKey {

    /** How a raw string becomes a value. */
    public enum Type { STRING, INT, BOOLEAN, LIST, PATH, LOG_LEVEL }

    public static final String SERVER_BIND = "server.bind";
    public static final String SERVER_HTTPS_PORT = "server.https-port";
    public static final String SERVER_HTTP_PORT = "server.http-port";
    public static final String SERVER_HOSTNAMES = "server.hostnames";
    public static final String SERVER_SHUTDOWN_TIMEOUT_MS = "server.shutdown-timeout-ms";
    public static final String SERVER_MAX_THREADS = "server.max-threads";
    public static final String DATA_DIR = "data.dir";
    public static final String DATABASE_POOL_SIZE = "database.pool-size";
    public static final String LOG_LEVEL = "log.level";
    public static final String LOG_REQUESTS = "log.requests";
    public static final String DEMO_ENABLED = "demo.enabled";
    public static final String DEMO_LIVE_WINDOW = "demo.live-window-segments";

    private static final Map<String, ConfigKey> KEYS;

    static {
        Map<String, ConfigKey> keys = new LinkedHashMap<>();
        add(keys, SERVER_BIND, Type.STRING, "", 0, 0,
                "Address to listen on; empty means every interface.");
        add(keys, SERVER_HTTPS_PORT, Type.INT, "8443", 0, 65535,
                "HTTPS port (0 picks a free port).");
        add(keys, SERVER_HTTP_PORT, Type.INT, "-1", -1, 65535,
                "Plain-HTTP port; -1 disables the plain listener.");
        add(keys, SERVER_HOSTNAMES, Type.LIST, "", 0, 0,
                "Extra host names for the server certificate, comma separated.");
        add(keys, SERVER_SHUTDOWN_TIMEOUT_MS, Type.INT, "10000", 0, 60000,
                "How long a stop waits for requests in flight.");
        add(keys, SERVER_MAX_THREADS, Type.INT, "200", 8, 10000,
                "Largest number of request threads.");
        add(keys, DATA_DIR, Type.PATH, "./var", 0, 0,
                "Data directory: database, PKI, logs.");
        add(keys, DATABASE_POOL_SIZE, Type.INT, "8", 2, 64,
                "Database connections kept open.");
        add(keys, LOG_LEVEL, Type.LOG_LEVEL, "INFO", 0, 0,
                "Log level of the appliance's own loggers.");
        add(keys, LOG_REQUESTS, Type.BOOLEAN, "true", 0, 0,
                "Write an access log line per HTTP request.");
        add(keys, DEMO_ENABLED, Type.BOOLEAN, "false", 0, 0,
                "Serve the demo page and test streams under /demo/.");
        add(keys, DEMO_LIVE_WINDOW, Type.INT, "6", 3, 30,
                "Segments in the demo live playlist's sliding window.");
        KEYS = Collections.unmodifiableMap(keys);
    }

    private final String name;
    private final Type type;
    private final String defaultValue;
    private final long min;
    private final long max;
    private final String description;

    private ConfigKey(String name, Type type, String defaultValue, long min, long max, String description) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    private static void add(Map<String, ConfigKey> keys, String name, Type type, String def,
                            long min, long max, String description) {
        keys.put(name, new ConfigKey(name, type, def, min, max, description));
    }

    public static Map<String, ConfigKey> all() {
        return KEYS;
    }

    public static ConfigKey find(String name) {
        return KEYS.get(name);
    }

    /** {@code server.https-port} is read from {@code SWARMGATE_SERVER_HTTPS_PORT}. */
    public String environmentName() {
        return "SWARMGATE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The known key nearest to {@code unknown} by edit distance, for "did you mean" messages. */
    public static String closest(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : KEYS.keySet()) {
            int d = editDistance(unknown.toLowerCase(Locale.ROOT), candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Converts and range-checks a raw value; the exception names this key. */
    Object parse(String raw, String source) {
        String value = raw.trim();
        switch (type) {
            case INT -> {
                long n;
                try {
                    n = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new ConfigException(name, "expected a whole number but got '" + value + "' (" + source + ")");
                }
                if (n < min || n > max) {
                    throw new ConfigException(name, "must be between " + min + " and " + max
                            + " but is " + n + " (" + source + ")");
                }
                return (int) n;
            }
            case BOOLEAN -> {
                return switch (value.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "on" -> true;
                    case "false", "no", "off" -> false;
                    default -> throw new ConfigException(name, "expected true or false but got '" + value
                            + "' (" + source + ")");
                };
            }
            case LIST -> {
                if (value.isEmpty()) {
                    return List.of();
                }
                return List.of(value.split("\\s*,\\s*"));
            }
            case LOG_LEVEL -> {
                String level = value.toUpperCase(Locale.ROOT);
                if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
                    throw new ConfigException(name, "expected one of TRACE, DEBUG, INFO, WARN, ERROR but got '"
                            + value + "' (" + source + ")");
                }
                return level;
            }
            case PATH -> {
                if (value.isEmpty()) {
                    throw new ConfigException(name, "must not be empty (" + source + ")");
                }
                return value;
            }
            default -> {
                return value;
            }
        }
    }
}
