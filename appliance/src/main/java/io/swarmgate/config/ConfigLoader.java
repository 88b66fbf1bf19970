package io.swarmgate.config;

import io.swarmgate.mesh.IpLiteral;
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
        Values values = new Values();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            values.set(key, key.defaultValue(), "built-in default");
        }
        if (file != null) {
            readFile(file).forEach((name, line) -> apply(values, name, line.value, file + ":" + line.number));
        }
        readEnvironment(env).forEach((name, raw) -> apply(values, name, raw, "environment " + ConfigKey.find(name).environmentName()));
        flags.forEach((name, raw) -> apply(values, name, raw, "command line"));
        return build(values);
    }

    private static void apply(Values values, String name, String raw, String source) {
        ConfigKey<?> key = ConfigKey.find(name);
        if (key == null) {
            throw unknown(name, source);
        }
        values.set(key, raw, source);
    }

    /**
     * The value each key has so far: a later layer replaces an earlier one. Every value is parsed
     * when it is set, so a bad value fails even when a higher layer would override it; reading
     * parses the winner again into the key's type.
     */
    private static final class Values {
        private record Setting(String raw, String source) {
        }

        private final Map<String, Setting> settings = new HashMap<>();

        void set(ConfigKey<?> key, String raw, String source) {
            key.parse(raw, source);
            settings.put(key.name(), new Setting(raw, source));
        }

        <T> T get(ConfigKey<T> key) {
            Setting s = settings.get(key.name());
            return key.parse(s.raw(), s.source());
        }
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
        for (ConfigKey<?> key : ConfigKeys.ALL) {
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

    private static ApplianceConfig.Database database(Values v) {
        String url = v.get(ConfigKeys.DATABASE_URL).trim();
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException(ConfigKey.DATABASE_URL, "must be empty (embedded H2) or a"
                    + " jdbc:postgresql://host:port/database URL");
        }
        if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
            throw new ConfigException(ConfigKey.DATABASE_URL, "must not carry a password (it would show in logs);"
                    + " put it in the file named by " + ConfigKey.DATABASE_PASSWORD_FILE);
        }
        String user = v.get(ConfigKeys.DATABASE_USER).trim();
        if (user.isEmpty()) {
            throw new ConfigException(ConfigKey.DATABASE_USER, "must not be empty");
        }
        String file = v.get(ConfigKeys.DATABASE_PASSWORD_FILE).trim();
        Path passwordFile = file.isEmpty() ? null : Path.of(file).toAbsolutePath().normalize();
        if (passwordFile != null && !Files.isReadable(passwordFile)) {
            throw new ConfigException(ConfigKey.DATABASE_PASSWORD_FILE, "cannot read " + passwordFile);
        }
        return new ApplianceConfig.Database(v.get(ConfigKeys.DATABASE_POOL_SIZE), url, user, passwordFile,
                v.get(ConfigKeys.CLUSTER_SYNC_INTERVAL_MS));
    }

    private static ApplianceConfig build(Values v) {
        int httpsPort = v.get(ConfigKeys.SERVER_HTTPS_PORT);
        int httpPort = v.get(ConfigKeys.SERVER_HTTP_PORT);
        if (httpsPort != 0 && httpsPort == httpPort) {
            throw new ConfigException(ConfigKey.SERVER_HTTP_PORT, "is the same as " + ConfigKey.SERVER_HTTPS_PORT
                    + " (" + httpPort + "); choose another port or -1 to disable plain HTTP");
        }
        List<String> hostnames = v.get(ConfigKeys.SERVER_HOSTNAMES);
        for (String host : hostnames) {
            if (!host.matches("[A-Za-z0-9.*:-]+")) {
                throw new ConfigException(ConfigKey.SERVER_HOSTNAMES, "'" + host
                        + "' is not a host name or IP address");
            }
        }
        int target = v.get(ConfigKeys.MESH_TARGET_DEGREE);
        int maxNeighbours = v.get(ConfigKeys.MESH_MAX_NEIGHBOURS);
        if (maxNeighbours < target) {
            throw new ConfigException(ConfigKey.MESH_MAX_NEIGHBOURS, "(" + maxNeighbours + ") is below "
                    + ConfigKey.MESH_TARGET_DEGREE + " (" + target + ")");
        }
        return new ApplianceConfig(
                new ApplianceConfig.Server(
                        v.get(ConfigKeys.SERVER_BIND),
                        httpsPort,
                        httpPort,
                        hostnames,
                        v.get(ConfigKeys.SERVER_SHUTDOWN_TIMEOUT_MS),
                        v.get(ConfigKeys.SERVER_MAX_THREADS),
                        v.get(ConfigKeys.SERVER_ACCEPT_QUEUE_SIZE),
                        v.get(ConfigKeys.SERVER_DRAIN_MS),
                        v.get(ConfigKeys.SERVER_MOVE_SPREAD_MS),
                        v.get(ConfigKeys.SERVER_HTTP2)),
                v.get(ConfigKeys.DATA_DIR).toAbsolutePath().normalize(),
                database(v),
                new ApplianceConfig.Logging(v.get(ConfigKeys.LOG_LEVEL), v.get(ConfigKeys.LOG_REQUESTS)),
                new ApplianceConfig.Demo(v.get(ConfigKeys.DEMO_ENABLED), v.get(ConfigKeys.DEMO_LIVE_WINDOW)),
                new ApplianceConfig.Mesh(target, maxNeighbours, v.get(ConfigKeys.MESH_LEADERS_PER_SITE),
                        v.get(ConfigKeys.MESH_UPLOAD_ON_CELLULAR), v.get(ConfigKeys.MESH_UPLOAD_ON_WIFI),
                        v.get(ConfigKeys.MESH_MAX_UPLOADS), v.get(ConfigKeys.MESH_MAX_UPLOAD_KBPS),
                        networks(v, ConfigKeys.MESH_TRUSTED_NETWORKS), networks(v, ConfigKeys.MESH_CANDIDATE_NETWORKS),
                        v.get(ConfigKeys.MESH_RESUME_GRACE_MS)),
                new ApplianceConfig.Signaling(networks(v, ConfigKeys.SIGNALING_TRUSTED_PROXIES),
                        v.get(ConfigKeys.SIGNALING_MAX_CONNECTIONS_PER_IP),
                        v.get(ConfigKeys.SIGNALING_MAX_CONNECTIONS_PER_IPV6_64),
                        v.get(ConfigKeys.SIGNALING_MAX_CONNECTIONS),
                        v.get(ConfigKeys.SIGNALING_MESSAGES_PER_SECOND),
                        v.get(ConfigKeys.SIGNALING_MESSAGE_BURST),
                        v.get(ConfigKeys.SIGNALING_HEARTBEAT_MS),
                        v.get(ConfigKeys.SIGNALING_HELLO_TIMEOUT_MS)),
                new ApplianceConfig.Auth(v.get(ConfigKeys.AUTH_LOCKOUT_FAILURES),
                        v.get(ConfigKeys.AUTH_LOCKOUT_MINUTES),
                        v.get(ConfigKeys.AUTH_SESSION_IDLE_MINUTES),
                        v.get(ConfigKeys.AUTH_SESSION_ABSOLUTE_HOURS),
                        v.get(ConfigKeys.AUTH_ARGON2_MEMORY_KIB),
                        v.get(ConfigKeys.AUTH_ARGON2_ITERATIONS),
                        v.get(ConfigKeys.AUTH_MAX_CONCURRENT_HASHES)),
                new ApplianceConfig.Diagnostics(v.get(ConfigKeys.DIAGNOSTICS_HEAP_ENDPOINT)),
                new ApplianceConfig.Qoe(v.get(ConfigKeys.QOE_FLUSH_INTERVAL_MS),
                        v.get(ConfigKeys.QOE_MAX_UNFLUSHED_ROWS),
                        v.get(ConfigKeys.QOE_ROLLUP_INTERVAL_MS),
                        v.get(ConfigKeys.QOE_MINUTE_RETENTION_DAYS),
                        v.get(ConfigKeys.QOE_HOUR_RETENTION_DAYS)),
                new ApplianceConfig.Metrics(networks(v, ConfigKeys.METRICS_ALLOWED_NETWORKS)),
                new ApplianceConfig.Security(origins(v, ConfigKeys.SECURITY_INTRANET_ORIGINS),
                        origins(v, ConfigKeys.SECURITY_MEDIA_ORIGINS)),
                new ApplianceConfig.Integrity(v.get(ConfigKeys.INTEGRITY_HASH_TTL_SECONDS),
                        v.get(ConfigKeys.INTEGRITY_MAX_SEGMENT_MIB),
                        v.get(ConfigKeys.INTEGRITY_FETCH_TIMEOUT_MS),
                        v.get(ConfigKeys.INTEGRITY_MAX_FETCHES),
                        v.get(ConfigKeys.INTEGRITY_REPORTS_TO_BAR),
                        v.get(ConfigKeys.INTEGRITY_BAR_MINUTES)),
                new ApplianceConfig.Discovery(v.get(ConfigKeys.DISCOVERY_ENABLED),
                        addresses(v, ConfigKeys.DISCOVERY_INTERFACES)),
                new ApplianceConfig.Audit(v.get(ConfigKeys.AUDIT_CHECKPOINT_INTERVAL_SECONDS),
                        v.get(ConfigKeys.AUDIT_RETENTION_DAYS), syslogAddress(v.get(ConfigKeys.AUDIT_SYSLOG_ADDRESS)),
                        v.get(ConfigKeys.AUDIT_SYSLOG_TLS), v.get(ConfigKeys.AUDIT_SYSLOG_CA_FILE),
                        syslogClientFile(v, ConfigKeys.AUDIT_SYSLOG_CLIENT_CERT_FILE, ConfigKeys.AUDIT_SYSLOG_CLIENT_KEY_FILE),
                        syslogClientFile(v, ConfigKeys.AUDIT_SYSLOG_CLIENT_KEY_FILE, ConfigKeys.AUDIT_SYSLOG_CLIENT_CERT_FILE)),
                new ApplianceConfig.Stun(v.get(ConfigKeys.STUN_ENABLED), v.get(ConfigKeys.STUN_PORT),
                        address(v, ConfigKeys.STUN_BIND)));
    }

    /**
     * Page origins: each {@code http(s)://host[:port]} with nothing after it, returned as browsers
     * send them (lower case, default port dropped), so the comparison with {@code Origin} is exact.
     */
    private static List<String> origins(Values v, ConfigKey<List<String>> key) {
        List<String> out = new java.util.ArrayList<>();
        for (String origin : v.get(key)) {
            if ("*".equals(origin)) {
                throw new ConfigException(key.name(), "'*' is not allowed here; allow any origin per stream with"
                        + " 'swarmgate stream set ID --allow-any-origin'");
            }
            String normalised = origin(origin);
            if (normalised == null) {
                throw new ConfigException(key.name(), "'" + origin + "' is not an origin: expected scheme://host[:port]"
                        + " with scheme http or https and no path, e.g. https://intranet.corp.example");
            }
            if (!out.contains(normalised)) {
                out.add(normalised);
            }
        }
        return out;
    }

    private static String origin(String text) {
        if (text.length() > 300 || !text.matches("(?i)https?://([A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?")) {
            return null;
        }
        java.net.URI uri = java.net.URI.create(text);
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = uri.getPort();
        if (uri.getHost() == null || port > 65535) {
            return null;
        }
        boolean standard = port == -1 || port == ("https".equals(scheme) ? 443 : 80);
        return scheme + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT) + (standard ? "" : ":" + port);
    }

    /** {@code host:port} ({@code [v6]:port}), or empty; a collector without a port is a mistake, not a default. */
    private static String syslogAddress(String value) {
        if (value.isEmpty()) {
            return value;
        }
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        String port = colon > 0 ? value.substring(colon + 1) : "";
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535
                || host.contains(":") && !bracketed || host.contains("/")) {
            throw new ConfigException(ConfigKey.AUDIT_SYSLOG_ADDRESS, "'" + value + "' is not host:port (an IPv6"
                    + " address in brackets), e.g. siem.corp.example:6514");
        }
        return value;
    }

    /**
     * A client certificate or key file for the syslog collector: the two go together, and only
     * over TLS (plain TCP has nowhere to show a certificate, so setting one there is a mistake).
     */
    private static String syslogClientFile(Values v, ConfigKey<String> key, ConfigKey<String> partner) {
        String value = v.get(key);
        if (value.isEmpty()) {
            return value;
        }
        if (v.get(partner).isEmpty()) {
            throw new ConfigException(partner.name(), "is empty but " + key.name() + " is set; the client certificate"
                    + " needs its private key and the key its certificate: set both or neither");
        }
        if (!v.get(ConfigKeys.AUDIT_SYSLOG_TLS)) {
            throw new ConfigException(key.name(), "a client certificate needs TLS, but audit.syslog-tls is false");
        }
        return value;
    }

    /** A list of CIDRs, checked strictly so a typo stops the start instead of opening a hole. */
    /** IP literals (no host names: the appliance makes no DNS lookup). */
    private static List<String> addresses(Values v, ConfigKey<List<String>> key) {
        List<String> addresses = v.get(key);
        addresses.forEach(a -> checkAddress(key, a));
        return addresses;
    }

    /** One IP literal or empty (see {@link #addresses}). */
    private static String address(Values v, ConfigKey<String> key) {
        String a = v.get(key).strip();
        if (!a.isEmpty()) {
            checkAddress(key, a);
        }
        return a;
    }

    private static void checkAddress(ConfigKey<?> key, String a) {
        try {
            IpLiteral.parse(a);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key.name(), "'" + a + "' is not an IP address of this machine: " + e.getMessage());
        }
    }

    private static List<String> networks(Values v, ConfigKey<List<String>> key) {
        List<String> cidrs = v.get(key);
        try {
            NetworkSet.of(cidrs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key.name(), e.getMessage());
        }
        return cidrs;
    }
}
