package io.swarmgate.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A configuration key that knows its value's type: how a raw string from the file, the
 * environment or a flag becomes a {@code T}, its default (as written in
 * {@code config/swarmgate.conf}) and its limits. Parsing failures are {@link ConfigException}s
 * naming the key and where the value came from. The keys themselves are the typed constants of
 * {@link ConfigKeys}; the name constants here are for flag maps (key → raw value) and messages.
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigKey<T> {

    public static final String SERVER_BIND = "server.bind";
    public static final String SERVER_HTTPS_PORT = "server.https-port";
    public static final String SERVER_HTTP_PORT = "server.http-port";
    public static final String SERVER_HOSTNAMES = "server.hostnames";
    public static final String SERVER_SHUTDOWN_TIMEOUT_MS = "server.shutdown-timeout-ms";
    public static final String SERVER_DRAIN_MS = "server.drain-ms";
    public static final String SERVER_MOVE_SPREAD_MS = "server.move-spread-ms";
    public static final String SERVER_MAX_THREADS = "server.max-threads";
    public static final String SERVER_ACCEPT_QUEUE_SIZE = "server.accept-queue-size";
    public static final String SERVER_HTTP2 = "server.http2";
    public static final String DATA_DIR = "data.dir";
    public static final String DATABASE_POOL_SIZE = "database.pool-size";
    public static final String DATABASE_URL = "database.url";
    public static final String DATABASE_USER = "database.user";
    public static final String DATABASE_PASSWORD_FILE = "database.password-file";
    public static final String CLUSTER_SYNC_INTERVAL_MS = "cluster.sync-interval-ms";
    public static final String LOG_LEVEL = "log.level";
    public static final String LOG_REQUESTS = "log.requests";
    public static final String DEMO_ENABLED = "demo.enabled";
    public static final String DEMO_LIVE_WINDOW = "demo.live-window-segments";
    public static final String MESH_TARGET_DEGREE = "mesh.target-degree";
    public static final String MESH_MAX_NEIGHBOURS = "mesh.max-neighbours";
    public static final String MESH_LEADERS_PER_SITE = "mesh.leaders-per-site";
    public static final String MESH_UPLOAD_ON_CELLULAR = "mesh.upload-on-cellular";
    public static final String MESH_UPLOAD_ON_WIFI = "mesh.upload-on-wifi";
    public static final String MESH_MAX_UPLOADS = "mesh.max-uploads";
    public static final String MESH_MAX_UPLOAD_KBPS = "mesh.max-upload-kbps";
    public static final String MESH_TRUSTED_NETWORKS = "mesh.trusted-networks";
    public static final String MESH_CANDIDATE_NETWORKS = "mesh.candidate-networks";
    public static final String MESH_RESUME_GRACE_MS = "mesh.resume-grace-ms";
    public static final String SIGNALING_TRUSTED_PROXIES = "signaling.trusted-proxies";
    public static final String SIGNALING_MAX_CONNECTIONS_PER_IP = "signaling.max-connections-per-ip";
    public static final String SIGNALING_MAX_CONNECTIONS_PER_IPV6_64 = "signaling.max-connections-per-ipv6-64";
    public static final String SIGNALING_MAX_CONNECTIONS = "signaling.max-connections";
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
    public static final String AUTH_MAX_CONCURRENT_HASHES = "auth.max-concurrent-hashes";
    public static final String QOE_FLUSH_INTERVAL_MS = "qoe.flush-interval-ms";
    public static final String QOE_MAX_UNFLUSHED_ROWS = "qoe.max-unflushed-rows";
    public static final String QOE_ROLLUP_INTERVAL_MS = "qoe.rollup-interval-ms";
    public static final String QOE_MINUTE_RETENTION_DAYS = "qoe.minute-retention-days";
    public static final String QOE_HOUR_RETENTION_DAYS = "qoe.hour-retention-days";
    public static final String METRICS_ALLOWED_NETWORKS = "metrics.allowed-networks";
    public static final String SECURITY_INTRANET_ORIGINS = "security.intranet-origins";
    public static final String SECURITY_MEDIA_ORIGINS = "security.media-origins";
    public static final String DISCOVERY_ENABLED = "discovery.enabled";
    public static final String DISCOVERY_INTERFACES = "discovery.interfaces";
    public static final String STUN_ENABLED = "stun.enabled";
    public static final String STUN_PORT = "stun.port";
    public static final String STUN_BIND = "stun.bind";
    public static final String INTEGRITY_HASH_TTL_SECONDS = "integrity.hash-ttl-seconds";
    public static final String INTEGRITY_MAX_SEGMENT_MIB = "integrity.max-segment-mib";
    public static final String INTEGRITY_FETCH_TIMEOUT_MS = "integrity.fetch-timeout-ms";
    public static final String INTEGRITY_MAX_FETCHES = "integrity.max-fetches";
    public static final String INTEGRITY_REPORTS_TO_BAR = "integrity.reports-to-bar";
    public static final String INTEGRITY_BAR_MINUTES = "integrity.bar-minutes";
    public static final String AUDIT_CHECKPOINT_INTERVAL_SECONDS = "audit.checkpoint-interval-seconds";
    public static final String AUDIT_RETENTION_DAYS = "audit.retention-days";
    public static final String AUDIT_SYSLOG_ADDRESS = "audit.syslog-address";
    public static final String AUDIT_SYSLOG_TLS = "audit.syslog-tls";
    public static final String AUDIT_SYSLOG_CA_FILE = "audit.syslog-ca-file";
    public static final String AUDIT_SYSLOG_CLIENT_CERT_FILE = "audit.syslog-client-cert-file";
    public static final String AUDIT_SYSLOG_CLIENT_KEY_FILE = "audit.syslog-client-key-file";

    /** RFC 1918, carrier-grade NAT, IPv6 unique-local and link-local: where corporate LANs live. */
    static final String PRIVATE_NETWORKS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7,fe80::/10";

    /** The log levels {@code log.level} accepts. */
    private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    /**
     * Turns a trimmed raw value into a {@code T}. Throws {@link IllegalArgumentException} whose
     * message says what is wrong with the value; the key and the source are added by the caller.
     */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String value);
    }

    private final String name;
    private final Parser<T> parser;
    private final String defaultValue;
    private final String description;

    private ConfigKey(String name, Parser<T> parser, String defaultValue, String description) {
        this.name = name;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.description = description;
        parse(defaultValue, "built-in default");
    }

    /** A whole number from {@code min} to {@code max}. */
    static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new ConfigKey<>(name, value -> {
            long n;
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number but got '" + value + "'");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + " but is " + n);
            }
            return (int) n;
        }, Integer.toString(defaultValue), description);
    }

    /** {@code true}/{@code yes}/{@code on} or {@code false}/{@code no}/{@code off}, any case. */
    static ConfigKey<Boolean> bool(String name, boolean defaultValue, String description) {
        return new ConfigKey<>(name, value -> switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false but got '" + value + "'");
        }, Boolean.toString(defaultValue), description);
    }

    /** Any text, possibly empty. */
    static ConfigKey<String> string(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, value -> value, defaultValue, description);
    }

    /** Comma-separated items, blanks around commas ignored; empty means none. */
    static ConfigKey<List<String>> list(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, value -> value.isEmpty() ? List.of() : List.of(value.split("\\s*,\\s*")),
                defaultValue, description);
    }

    /** A file system path, never empty; relative paths are resolved by the reader. */
    static ConfigKey<Path> path(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, value -> {
            if (value.isEmpty()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return Path.of(value);
        }, defaultValue, description);
    }

    /** One of {@link #LOG_LEVELS}, any case; the value is upper case. */
    static ConfigKey<String> logLevel(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, value -> {
            String level = value.toUpperCase(Locale.ROOT);
            if (!LOG_LEVELS.contains(level)) {
                throw new IllegalArgumentException("expected one of " + String.join(", ", LOG_LEVELS)
                        + " but got '" + value + "'");
            }
            return level;
        }, defaultValue, description);
    }

    /** Every key by name, in the order of {@code config/swarmgate.conf}. */
    public static Map<String, ConfigKey<?>> all() {
        return ConfigKeys.BY_NAME;
    }

    /** The key called {@code name}, or null when there is none. */
    public static ConfigKey<?> find(String name) {
        return ConfigKeys.BY_NAME.get(name);
    }

    /** {@code server.https-port} is read from {@code SWARMGATE_SERVER_HTTPS_PORT}. */
    public String environmentName() {
        return "SWARMGATE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The known key nearest to {@code unknown} by edit distance, for "did you mean" messages. */
    public static String closest(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : ConfigKeys.BY_NAME.keySet()) {
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

    /** The default as written in {@code config/swarmgate.conf}. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /**
     * Converts and range-checks a raw value.
     *
     * @param source where the value came from, for the message ({@code "command line"}, a file and line, …)
     * @throws ConfigException naming this key, the problem and the source
     */
    public T parse(String raw, String source) {
        try {
            return parser.parse(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, e.getMessage() + " (" + source + ")");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
