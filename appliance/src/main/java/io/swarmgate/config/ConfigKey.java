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
    public static final String SERVER_ACCEPT_QUEUE_SIZE = "server.accept-queue-size";
    public static final String DATA_DIR = "data.dir";
    public static final String DATABASE_POOL_SIZE = "database.pool-size";
    public static final String LOG_LEVEL = "log.level";
    public static final String LOG_REQUESTS = "log.requests";
    public static final String DEMO_ENABLED = "demo.enabled";
    public static final String DEMO_LIVE_WINDOW = "demo.live-window-segments";
    public static final String MESH_TARGET_DEGREE = "mesh.target-degree";
    public static final String MESH_MAX_NEIGHBOURS = "mesh.max-neighbours";
    public static final String MESH_LEADERS_PER_SITE = "mesh.leaders-per-site";
    public static final String MESH_UPLOAD_ON_CELLULAR = "mesh.upload-on-cellular";
    public static final String MESH_TRUSTED_NETWORKS = "mesh.trusted-networks";
    public static final String MESH_CANDIDATE_NETWORKS = "mesh.candidate-networks";
    public static final String MESH_RESUME_GRACE_MS = "mesh.resume-grace-ms";
    public static final String SIGNALING_TRUSTED_PROXIES = "signaling.trusted-proxies";
    public static final String SIGNALING_MAX_CONNECTIONS_PER_IP = "signaling.max-connections-per-ip";
    public static final String SIGNALING_MESSAGES_PER_SECOND = "signaling.messages-per-second";
    public static final String SIGNALING_MESSAGE_BURST = "signaling.message-burst";
    public static final String SIGNALING_HEARTBEAT_MS = "signaling.heartbeat-ms";
    public static final String SIGNALING_HELLO_TIMEOUT_MS = "signaling.hello-timeout-ms";
    public static final String DIAGNOSTICS_HEAP_ENDPOINT = "diagnostics.heap-endpoint";

    public static final String AUTH_LOCKOUT_FAILURES = "auth.lockout-failures";
    public static final String AUTH_LOCKOUT_MINUTES = "auth.lockout-minutes";
    public static final String AUTH_SESSION_IDLE_MINUTES = "auth.session-idle-minutes";
    public static final String AUTH_SESSION_ABSOLUTE_HOURS = "auth.session-absolute-hours";
    public static final String AUTH_ARGON2_MEMORY_KIB = "auth.argon2-memory-kib";
    public static final String AUTH_ARGON2_ITERATIONS = "auth.argon2-iterations";
    public static final String QOE_FLUSH_INTERVAL_MS = "qoe.flush-interval-ms";
    public static final String QOE_MAX_UNFLUSHED_ROWS = "qoe.max-unflushed-rows";
    public static final String QOE_ROLLUP_INTERVAL_MS = "qoe.rollup-interval-ms";
    public static final String QOE_MINUTE_RETENTION_DAYS = "qoe.minute-retention-days";
    public static final String QOE_HOUR_RETENTION_DAYS = "qoe.hour-retention-days";
    public static final String METRICS_ALLOWED_NETWORKS = "metrics.allowed-networks";

    /** RFC 1918, carrier-grade NAT, IPv6 unique-local and link-local: where corporate LANs live. */
    static final String PRIVATE_NETWORKS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7,fe80::/10";

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
        add(keys, SERVER_ACCEPT_QUEUE_SIZE, Type.INT, "1024", 0, 65535,
                "Pending TCP connections the listeners queue (listen backlog); 0 uses the JVM's 50.");
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
        add(keys, MESH_TARGET_DEGREE, Type.INT, "6", 1, 64,
                "Neighbours the coordinator gives each viewer.");
        add(keys, MESH_MAX_NEIGHBOURS, Type.INT, "10", 1, 64,
                "Default cap on neighbours per viewer (stream policies may set their own).");
        add(keys, MESH_LEADERS_PER_SITE, Type.INT, "2", 0, 16,
                "Site leaders per stream and site that fetch new live segments over HTTP.");
        add(keys, MESH_UPLOAD_ON_CELLULAR, Type.BOOLEAN, "false", 0, 0,
                "Default for whether viewers on cellular networks upload.");
        add(keys, MESH_TRUSTED_NETWORKS, Type.LIST, PRIVATE_NETWORKS, 0, 0,
                "Networks whose viewers may join meshes of 'intermediate' security streams.");
        add(keys, MESH_CANDIDATE_NETWORKS, Type.LIST, PRIVATE_NETWORKS, 0, 0,
                "Addresses allowed in relayed ICE host candidates.");
        add(keys, MESH_RESUME_GRACE_MS, Type.INT, "30000", 0, 600000,
                "How long a disconnected viewer keeps its peer id and neighbours.");
        add(keys, SIGNALING_TRUSTED_PROXIES, Type.LIST, "", 0, 0,
                "Reverse proxies (CIDRs) whose X-Forwarded-For is believed.");
        add(keys, SIGNALING_MAX_CONNECTIONS_PER_IP, Type.INT, "256", 1, 1000000,
                "Signaling connections allowed from one client address.");
        add(keys, SIGNALING_MESSAGES_PER_SECOND, Type.INT, "20", 1, 10000,
                "Sustained signaling messages per connection per second.");
        add(keys, SIGNALING_MESSAGE_BURST, Type.INT, "60", 1, 100000,
                "Burst of signaling messages a connection may send at once.");
        add(keys, SIGNALING_HEARTBEAT_MS, Type.INT, "15000", 1000, 300000,
                "Heartbeat interval asked of viewers; three missed ones close the socket.");
        add(keys, SIGNALING_HELLO_TIMEOUT_MS, Type.INT, "10000", 1000, 120000,
                "Time a new connection has to send hello.");
        add(keys, AUTH_LOCKOUT_FAILURES, Type.INT, "5", 1, 100,
                "Failed logins in a row that lock an administrator account.");
        add(keys, AUTH_LOCKOUT_MINUTES, Type.INT, "15", 1, 1440,
                "How long a locked account stays locked.");
        add(keys, AUTH_SESSION_IDLE_MINUTES, Type.INT, "30", 1, 1440,
                "Console sessions end after this long without a request.");
        add(keys, AUTH_SESSION_ABSOLUTE_HOURS, Type.INT, "12", 1, 168,
                "Console sessions end this long after login in any case.");
        add(keys, AUTH_ARGON2_MEMORY_KIB, Type.INT, "65536", 8192, 4194304,
                "Argon2id memory cost of new password hashes.");
        add(keys, AUTH_ARGON2_ITERATIONS, Type.INT, "3", 1, 20,
                "Argon2id iterations of new password hashes.");
        add(keys, DIAGNOSTICS_HEAP_ENDPOINT, Type.BOOLEAN, "false", 0, 0,
                "Answer GET /internal/heap (used heap after a GC) on the plain-HTTP listener, loopback only.");
        add(keys, QOE_FLUSH_INTERVAL_MS, Type.INT, "10000", 1000, 60000,
                "How often closed QoE minutes are written to the database.");
        add(keys, QOE_MAX_UNFLUSHED_ROWS, Type.INT, "100000", 1000, 10000000,
                "QoE minute rows held in memory while the database cannot take them; the oldest go first.");
        add(keys, QOE_ROLLUP_INTERVAL_MS, Type.INT, "600000", 10000, 86400000,
                "How often QoE minutes are rolled up into hours and old rows pruned.");
        add(keys, QOE_MINUTE_RETENTION_DAYS, Type.INT, "90", 1, 3650,
                "Days QoE minute rows are kept.");
        add(keys, QOE_HOUR_RETENTION_DAYS, Type.INT, "730", 1, 36500,
                "Days QoE hourly rows are kept.");
        add(keys, METRICS_ALLOWED_NETWORKS, Type.LIST, "127.0.0.1/32,::1/128", 0, 0,
                "Networks (CIDRs) allowed to read /metrics without a bearer token.");
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
