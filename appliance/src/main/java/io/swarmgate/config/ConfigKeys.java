package io.swarmgate.config;

import io.swarmgate.mesh.MeshTimings;

import static io.swarmgate.config.ConfigKey.PRIVATE_NETWORKS;
import static io.swarmgate.config.ConfigKey.bool;
import static io.swarmgate.config.ConfigKey.integer;
import static io.swarmgate.config.ConfigKey.list;
import static io.swarmgate.config.ConfigKey.logLevel;
import static io.swarmgate.config.ConfigKey.path;
import static io.swarmgate.config.ConfigKey.string;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key the appliance accepts, typed, with its default, limits and description.
 * This is the one list the file parser, the environment mapping, validation and
 * {@code config/swarmgate.conf} agree on; a key that is not here is rejected at start-up.
 */
public final class ConfigKeys {

    public static final ConfigKey<String> SERVER_BIND = string(ConfigKey.SERVER_BIND, "",
            "Address to listen on; empty means every interface.");
    public static final ConfigKey<Integer> SERVER_HTTPS_PORT = integer(ConfigKey.SERVER_HTTPS_PORT, 8443, 0, 65535,
            "HTTPS port (0 picks a free port).");
    public static final ConfigKey<Integer> SERVER_HTTP_PORT = integer(ConfigKey.SERVER_HTTP_PORT, -1, -1, 65535,
            "Plain-HTTP port; -1 disables the plain listener.");
    public static final ConfigKey<List<String>> SERVER_HOSTNAMES = list(ConfigKey.SERVER_HOSTNAMES, "",
            "Extra host names for the server certificate, comma separated.");
    public static final ConfigKey<Integer> SERVER_SHUTDOWN_TIMEOUT_MS = integer(ConfigKey.SERVER_SHUTDOWN_TIMEOUT_MS,
            10000, 0, 60000, "How long a stop waits for requests in flight.");
    public static final ConfigKey<Integer> SERVER_DRAIN_MS = integer(ConfigKey.SERVER_DRAIN_MS, 3000, 0, 60000,
            "On a stop, how long /readyz answers 'draining' before viewers are told to move.");
    public static final ConfigKey<Integer> SERVER_MOVE_SPREAD_MS = integer(ConfigKey.SERVER_MOVE_SPREAD_MS, 3000, 100,
            60000, "Viewers told to move reconnect at random within this long, so they do not arrive at once.");
    public static final ConfigKey<Integer> SERVER_MAX_THREADS = integer(ConfigKey.SERVER_MAX_THREADS, 200, 8, 10000,
            "Largest number of request threads.");
    public static final ConfigKey<Integer> SERVER_ACCEPT_QUEUE_SIZE = integer(ConfigKey.SERVER_ACCEPT_QUEUE_SIZE,
            1024, 0, 65535, "Pending TCP connections the listeners queue (listen backlog); 0 uses the JVM's 50.");
    public static final ConfigKey<Boolean> SERVER_HTTP2 = bool(ConfigKey.SERVER_HTTP2, true,
            "Offer HTTP/2 (ALPN h2) beside HTTP/1.1 on the HTTPS port (signaling WebSockets stay on"
                    + " HTTP/1.1); false: HTTP/1.1 only.");
    public static final ConfigKey<Path> DATA_DIR = path(ConfigKey.DATA_DIR, "./var",
            "Data directory: database, PKI, logs.");
    public static final ConfigKey<Integer> DATABASE_POOL_SIZE = integer(ConfigKey.DATABASE_POOL_SIZE, 8, 2, 64,
            "Database connections kept open.");
    public static final ConfigKey<String> DATABASE_URL = string(ConfigKey.DATABASE_URL, "",
            "jdbc:postgresql://host:port/db for cluster mode (appliances sharing one database); empty: embedded H2.");
    public static final ConfigKey<String> DATABASE_USER = string(ConfigKey.DATABASE_USER, "swarmgate",
            "PostgreSQL role the appliance connects as (cluster mode).");
    public static final ConfigKey<String> DATABASE_PASSWORD_FILE = string(ConfigKey.DATABASE_PASSWORD_FILE, "",
            "File holding the PostgreSQL role's password (cluster mode); empty: no password.");
    public static final ConfigKey<Integer> CLUSTER_SYNC_INTERVAL_MS = integer(ConfigKey.CLUSTER_SYNC_INTERVAL_MS, 1000,
            200, 60000, "Cluster mode: how often others' policy and site changes are picked up and live figures shared.");
    public static final ConfigKey<String> LOG_LEVEL = logLevel(ConfigKey.LOG_LEVEL, "INFO",
            "Log level of the appliance's own loggers.");
    public static final ConfigKey<Boolean> LOG_REQUESTS = bool(ConfigKey.LOG_REQUESTS, true,
            "Write an access log line per HTTP request.");
    public static final ConfigKey<Boolean> DEMO_ENABLED = bool(ConfigKey.DEMO_ENABLED, false,
            "Serve the demo page and test streams under /demo/.");
    public static final ConfigKey<Integer> DEMO_LIVE_WINDOW = integer(ConfigKey.DEMO_LIVE_WINDOW, 6, 3, 30,
            "Segments in the demo live playlist's sliding window.");
    public static final ConfigKey<Integer> MESH_TARGET_DEGREE = integer(ConfigKey.MESH_TARGET_DEGREE, 6, 1, 64,
            "Neighbours the coordinator gives each viewer.");
    public static final ConfigKey<Integer> MESH_MAX_NEIGHBOURS = integer(ConfigKey.MESH_MAX_NEIGHBOURS, 10, 1, 64,
            "Default cap on neighbours per viewer (stream policies may set their own).");
    public static final ConfigKey<Integer> MESH_LEADERS_PER_SITE = integer(ConfigKey.MESH_LEADERS_PER_SITE, 2, 0, 16,
            "Site leaders per stream and site that fetch new live segments over HTTP.");
    public static final ConfigKey<Boolean> MESH_UPLOAD_ON_CELLULAR = bool(ConfigKey.MESH_UPLOAD_ON_CELLULAR, false,
            "Default for whether viewers on cellular networks upload.");
    public static final ConfigKey<Boolean> MESH_UPLOAD_ON_WIFI = bool(ConfigKey.MESH_UPLOAD_ON_WIFI, true,
            "Default for whether viewers on Wi-Fi upload.");
    // The bounds are policy.UploadRules' (config cannot depend on policy; UploadRulesTest keeps them equal).
    public static final ConfigKey<Integer> MESH_MAX_UPLOADS = integer(ConfigKey.MESH_MAX_UPLOADS, 4, 1, 64,
            "Default for how many segments one viewer uploads at the same time.");
    public static final ConfigKey<Integer> MESH_MAX_UPLOAD_KBPS = integer(ConfigKey.MESH_MAX_UPLOAD_KBPS, 20000, 100,
            10000000, "Default for what one viewer uploads at most, kbit/s.");
    public static final ConfigKey<List<String>> MESH_TRUSTED_NETWORKS = list(ConfigKey.MESH_TRUSTED_NETWORKS,
            PRIVATE_NETWORKS, "Networks whose viewers may join meshes of 'intermediate' security streams.");
    public static final ConfigKey<List<String>> MESH_CANDIDATE_NETWORKS = list(ConfigKey.MESH_CANDIDATE_NETWORKS,
            PRIVATE_NETWORKS, "Addresses allowed in relayed ICE host candidates.");
    public static final ConfigKey<Integer> MESH_RESUME_GRACE_MS = integer(ConfigKey.MESH_RESUME_GRACE_MS,
            (int) MeshTimings.DEFAULT_RESUME_GRACE.toMillis(), 0, 600000,
            "How long a disconnected viewer keeps its peer id and neighbours.");
    public static final ConfigKey<List<String>> SIGNALING_TRUSTED_PROXIES = list(ConfigKey.SIGNALING_TRUSTED_PROXIES,
            "", "Reverse proxies (CIDRs) whose X-Forwarded-For is believed.");
    public static final ConfigKey<Integer> SIGNALING_MAX_CONNECTIONS_PER_IP =
            integer(ConfigKey.SIGNALING_MAX_CONNECTIONS_PER_IP, 256, 1, 1000000,
            "Signaling connections allowed from one client address.");
    public static final ConfigKey<Integer> SIGNALING_MAX_CONNECTIONS_PER_IPV6_64 =
            integer(ConfigKey.SIGNALING_MAX_CONNECTIONS_PER_IPV6_64, 4096, 1, 1000000,
            "Signaling connections allowed from one IPv6 /64 network (one host can use many of its addresses).");
    public static final ConfigKey<Integer> SIGNALING_MAX_CONNECTIONS = integer(ConfigKey.SIGNALING_MAX_CONNECTIONS,
            50000, 1, 10000000, "Signaling connections the appliance keeps open in total; more are told to retry.");
    public static final ConfigKey<Integer> SIGNALING_MESSAGES_PER_SECOND =
            integer(ConfigKey.SIGNALING_MESSAGES_PER_SECOND, 20, 1, 10000,
            "Sustained signaling messages per connection per second.");
    public static final ConfigKey<Integer> SIGNALING_MESSAGE_BURST = integer(ConfigKey.SIGNALING_MESSAGE_BURST,
            60, 1, 100000, "Burst of signaling messages a connection may send at once.");
    public static final ConfigKey<Integer> SIGNALING_HEARTBEAT_MS = integer(ConfigKey.SIGNALING_HEARTBEAT_MS,
            15000, 1000, 300000, "Heartbeat interval asked of viewers; three missed ones close the socket.");
    public static final ConfigKey<Integer> SIGNALING_HELLO_TIMEOUT_MS = integer(ConfigKey.SIGNALING_HELLO_TIMEOUT_MS,
            10000, 1000, 120000, "Time a new connection has to send hello.");
    public static final ConfigKey<Integer> AUTH_LOCKOUT_FAILURES = integer(ConfigKey.AUTH_LOCKOUT_FAILURES, 5, 1, 100,
            "Failed logins in a row (per account name and per source address) before sign-in attempts are delayed.");
    public static final ConfigKey<Integer> AUTH_LOCKOUT_MINUTES = integer(ConfigKey.AUTH_LOCKOUT_MINUTES, 5, 1, 1440,
            "Longest delay an account name must wait between failed sign-ins (source addresses: twice this).");
    public static final ConfigKey<Integer> AUTH_SESSION_IDLE_MINUTES = integer(ConfigKey.AUTH_SESSION_IDLE_MINUTES,
            30, 1, 1440, "Console sessions end after this long without a request.");
    public static final ConfigKey<Integer> AUTH_SESSION_ABSOLUTE_HOURS = integer(ConfigKey.AUTH_SESSION_ABSOLUTE_HOURS,
            12, 1, 168, "Console sessions end this long after login in any case.");
    public static final ConfigKey<Integer> AUTH_ARGON2_MEMORY_KIB = integer(ConfigKey.AUTH_ARGON2_MEMORY_KIB,
            65536, 8192, 4194304, "Argon2id memory cost of new password hashes.");
    public static final ConfigKey<Integer> AUTH_ARGON2_ITERATIONS = integer(ConfigKey.AUTH_ARGON2_ITERATIONS, 3, 1, 20,
            "Argon2id iterations of new password hashes.");
    public static final ConfigKey<Integer> AUTH_MAX_CONCURRENT_HASHES = integer(ConfigKey.AUTH_MAX_CONCURRENT_HASHES,
            0, 0, 256, "Argon2id hashes computed at the same time; 0 derives it from the cores and the heap.");
    public static final ConfigKey<Boolean> DIAGNOSTICS_HEAP_ENDPOINT = bool(ConfigKey.DIAGNOSTICS_HEAP_ENDPOINT, false,
            "Answer GET /internal/heap (used heap after a GC) on the plain-HTTP listener, loopback only.");
    public static final ConfigKey<Integer> QOE_FLUSH_INTERVAL_MS = integer(ConfigKey.QOE_FLUSH_INTERVAL_MS,
            10000, 1000, 60000, "How often closed QoE minutes are written to the database.");
    public static final ConfigKey<Integer> QOE_MAX_UNFLUSHED_ROWS = integer(ConfigKey.QOE_MAX_UNFLUSHED_ROWS,
            100000, 1000, 10000000,
            "QoE minute rows held in memory while the database cannot take them; the oldest go first.");
    public static final ConfigKey<Integer> QOE_ROLLUP_INTERVAL_MS = integer(ConfigKey.QOE_ROLLUP_INTERVAL_MS,
            600000, 10000, 86400000, "How often QoE minutes are rolled up into hours and old rows pruned.");
    public static final ConfigKey<Integer> QOE_MINUTE_RETENTION_DAYS = integer(ConfigKey.QOE_MINUTE_RETENTION_DAYS,
            90, 1, 3650, "Days QoE minute rows are kept.");
    public static final ConfigKey<Integer> QOE_HOUR_RETENTION_DAYS = integer(ConfigKey.QOE_HOUR_RETENTION_DAYS,
            730, 1, 36500, "Days QoE hourly rows are kept.");
    public static final ConfigKey<List<String>> METRICS_ALLOWED_NETWORKS = list(ConfigKey.METRICS_ALLOWED_NETWORKS,
            "127.0.0.1/32,::1/128", "Networks (CIDRs) allowed to read /metrics without a bearer token.");

    public static final ConfigKey<List<String>> SECURITY_INTRANET_ORIGINS = list(ConfigKey.SECURITY_INTRANET_ORIGINS,
            "", "Page origins (scheme://host[:port]) that may join streams whose policy names no origins,"
            + " besides the appliance's own pages.");
    public static final ConfigKey<List<String>> SECURITY_MEDIA_ORIGINS = list(ConfigKey.SECURITY_MEDIA_ORIGINS,
            "", "Origins (scheme://host[:port]) the appliance may fetch segments from to learn their SHA-256, for"
            + " every stream, besides the origin of each policy's URL pattern and its own demo stream.");
    public static final ConfigKey<Boolean> DISCOVERY_ENABLED = bool(ConfigKey.DISCOVERY_ENABLED, true,
            "Announce the appliance on the LAN over mDNS/DNS-SD (_swarmgate._tcp).");
    public static final ConfigKey<List<String>> DISCOVERY_INTERFACES = list(ConfigKey.DISCOVERY_INTERFACES, "",
            "Local addresses to announce on, comma separated; empty: the bind address, or every non-loopback"
            + " multicast interface when bound to all.");
    public static final ConfigKey<Boolean> STUN_ENABLED = bool(ConfigKey.STUN_ENABLED, true,
            "Answer STUN Binding requests on UDP and offer the responder to viewers in their ICE servers.");
    public static final ConfigKey<Integer> STUN_PORT = integer(ConfigKey.STUN_PORT, 3478, 0, 65535,
            "UDP port of the STUN responder (0 picks a free port).");
    public static final ConfigKey<String> STUN_BIND = string(ConfigKey.STUN_BIND, "",
            "Address the STUN responder listens on; empty: server.bind, or every interface.");
    public static final ConfigKey<Integer> INTEGRITY_HASH_TTL_SECONDS = integer(ConfigKey.INTEGRITY_HASH_TTL_SECONDS,
            600, 10, 86400, "How long a segment's hash learnt from the origin is kept.");
    public static final ConfigKey<Integer> INTEGRITY_MAX_SEGMENT_MIB = integer(ConfigKey.INTEGRITY_MAX_SEGMENT_MIB,
            32, 1, 64, "Largest segment the appliance hashes (MiB); larger segments are never shared.");
    public static final ConfigKey<Integer> INTEGRITY_FETCH_TIMEOUT_MS = integer(ConfigKey.INTEGRITY_FETCH_TIMEOUT_MS,
            10000, 1000, 60000, "How long one fetch of a segment from the origin may take.");
    public static final ConfigKey<Integer> INTEGRITY_MAX_FETCHES = integer(ConfigKey.INTEGRITY_MAX_FETCHES,
            8, 1, 64, "Segment fetches from origins in progress at once; more asks are answered 'busy'.");
    public static final ConfigKey<Integer> INTEGRITY_REPORTS_TO_BAR = integer(ConfigKey.INTEGRITY_REPORTS_TO_BAR,
            2, 1, 16, "Viewers at different addresses that must report a peer's bytes before it is barred.");
    public static final ConfigKey<Integer> INTEGRITY_BAR_MINUTES = integer(ConfigKey.INTEGRITY_BAR_MINUTES,
            60, 0, 10080, "How long new viewers from a barred peer's address join that stream barred (0: only"
            + " the barred session and its resume).");

    public static final ConfigKey<Integer> AUDIT_CHECKPOINT_INTERVAL_SECONDS = integer(
            ConfigKey.AUDIT_CHECKPOINT_INTERVAL_SECONDS, 3600, 60, 86400,
            "How often the head of the audit log is signed when entries were added since the last checkpoint.");
    public static final ConfigKey<Integer> AUDIT_RETENTION_DAYS = integer(ConfigKey.AUDIT_RETENTION_DAYS,
            400, 30, 36500, "Days audit entries are kept; older ones are pruned behind a signed checkpoint.");
    public static final ConfigKey<String> AUDIT_SYSLOG_ADDRESS = string(ConfigKey.AUDIT_SYSLOG_ADDRESS, "",
            "host:port of a syslog collector (SIEM) that receives every audit entry (RFC 5424); empty: none.");
    public static final ConfigKey<Boolean> AUDIT_SYSLOG_TLS = bool(ConfigKey.AUDIT_SYSLOG_TLS, true,
            "Whether the syslog collector is reached over TLS (RFC 5425); false: plain TCP.");
    public static final ConfigKey<String> AUDIT_SYSLOG_CA_FILE = string(ConfigKey.AUDIT_SYSLOG_CA_FILE, "",
            "PEM file with the CA certificate(s) the collector's certificate must chain to; empty: the JVM's.");
    public static final ConfigKey<String> AUDIT_SYSLOG_CLIENT_CERT_FILE = string(
            ConfigKey.AUDIT_SYSLOG_CLIENT_CERT_FILE, "", "PEM file with the client certificate (then its intermediates)"
                    + " the appliance shows a collector that requires one; empty: none.");
    public static final ConfigKey<String> AUDIT_SYSLOG_CLIENT_KEY_FILE = string(
            ConfigKey.AUDIT_SYSLOG_CLIENT_KEY_FILE, "", "PEM file with the unencrypted private key of"
                    + " audit.syslog-client-cert-file; set both or neither.");

    /** Every key, in the order of {@code config/swarmgate.conf}. */
    static final List<ConfigKey<?>> ALL = List.of(
            SERVER_BIND, SERVER_HTTPS_PORT, SERVER_HTTP_PORT, SERVER_HOSTNAMES, SERVER_SHUTDOWN_TIMEOUT_MS,
            SERVER_DRAIN_MS, SERVER_MOVE_SPREAD_MS,
            SERVER_MAX_THREADS, SERVER_ACCEPT_QUEUE_SIZE, SERVER_HTTP2, DATA_DIR, DATABASE_POOL_SIZE, DATABASE_URL,
            DATABASE_USER, DATABASE_PASSWORD_FILE, CLUSTER_SYNC_INTERVAL_MS, LOG_LEVEL, LOG_REQUESTS,
            DEMO_ENABLED, DEMO_LIVE_WINDOW, MESH_TARGET_DEGREE, MESH_MAX_NEIGHBOURS, MESH_LEADERS_PER_SITE,
            MESH_UPLOAD_ON_CELLULAR, MESH_UPLOAD_ON_WIFI, MESH_MAX_UPLOADS, MESH_MAX_UPLOAD_KBPS, MESH_TRUSTED_NETWORKS, MESH_CANDIDATE_NETWORKS, MESH_RESUME_GRACE_MS,
            SIGNALING_TRUSTED_PROXIES, SIGNALING_MAX_CONNECTIONS_PER_IP, SIGNALING_MAX_CONNECTIONS_PER_IPV6_64,
            SIGNALING_MAX_CONNECTIONS, SIGNALING_MESSAGES_PER_SECOND,
            SIGNALING_MESSAGE_BURST, SIGNALING_HEARTBEAT_MS, SIGNALING_HELLO_TIMEOUT_MS, AUTH_LOCKOUT_FAILURES,
            AUTH_LOCKOUT_MINUTES, AUTH_SESSION_IDLE_MINUTES, AUTH_SESSION_ABSOLUTE_HOURS, AUTH_ARGON2_MEMORY_KIB,
            AUTH_ARGON2_ITERATIONS, AUTH_MAX_CONCURRENT_HASHES, DIAGNOSTICS_HEAP_ENDPOINT, QOE_FLUSH_INTERVAL_MS, QOE_MAX_UNFLUSHED_ROWS,
            QOE_ROLLUP_INTERVAL_MS, QOE_MINUTE_RETENTION_DAYS, QOE_HOUR_RETENTION_DAYS, METRICS_ALLOWED_NETWORKS,
            SECURITY_INTRANET_ORIGINS, SECURITY_MEDIA_ORIGINS, DISCOVERY_ENABLED, DISCOVERY_INTERFACES,
            STUN_ENABLED, STUN_PORT, STUN_BIND,
            INTEGRITY_HASH_TTL_SECONDS, INTEGRITY_MAX_SEGMENT_MIB,
            INTEGRITY_FETCH_TIMEOUT_MS, INTEGRITY_MAX_FETCHES, INTEGRITY_REPORTS_TO_BAR, INTEGRITY_BAR_MINUTES,
            AUDIT_CHECKPOINT_INTERVAL_SECONDS, AUDIT_RETENTION_DAYS, AUDIT_SYSLOG_ADDRESS, AUDIT_SYSLOG_TLS,
            AUDIT_SYSLOG_CA_FILE, AUDIT_SYSLOG_CLIENT_CERT_FILE, AUDIT_SYSLOG_CLIENT_KEY_FILE);

    /** Every key by name, in the order of {@link #ALL}. */
    static final Map<String, ConfigKey<?>> BY_NAME = byName();

    private ConfigKeys() {
    }

    private static Map<String, ConfigKey<?>> byName() {
        Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
        for (ConfigKey<?> key : ALL) {
            if (keys.put(key.name(), key) != null) {
                throw new IllegalStateException("configuration key " + key.name() + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(keys);
    }
}
