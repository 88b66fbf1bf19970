package io.swarmgate.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The appliance's configuration, validated once at start-up and immutable afterwards. Settings are
 * grouped by the component that reads them.
 */
public record ApplianceConfig(Server server, Path dataDir, Database database, Logging logging, Demo demo, Mesh mesh,
                              Signaling signaling, Auth auth, Diagnostics diagnostics, Qoe qoe, Metrics metrics,
                              Security security, Integrity integrity, Discovery discovery, Audit audit,
                              Stun stun) {

    /** Listeners, TLS identity and shutdown, read by {@code ApplianceServer}. */
    public record Server(String bind, int httpsPort, int httpPort, List<String> hostnames,
                         int shutdownTimeoutMs, int maxThreads, int acceptQueueSize, int drainMs, int moveSpreadMs,
                         boolean http2) {
        public Server {
            hostnames = List.copyOf(hostnames);
        }

        /** Whether the plain-HTTP listener is enabled. */
        public boolean httpEnabled() {
            return httpPort >= 0;
        }
    }

    /**
     * Read by {@code io.swarmgate.store.Database}. An empty {@code url} is the embedded H2 file in
     * the data directory; a {@code jdbc:postgresql:} url is cluster mode. The password is read from
     * {@code passwordFile} (null: none) when the database is opened, so it is never part of the
     * configuration, the command line or a log line.
     */
    public record Database(int poolSize, String url, String user, java.nio.file.Path passwordFile,
                           int syncIntervalMs) {

        /** The embedded H2 database with this pool size. */
        public static Database embedded(int poolSize) {
            return new Database(poolSize, "", "swarmgate", null, 1000);
        }

        /** The same database with another pool size (for a CLI command's short use). */
        public Database withPoolSize(int size) {
            return new Database(size, url, user, passwordFile, syncIntervalMs);
        }

        /** Whether several appliances share this database (PostgreSQL). */
        public boolean shared() {
            return !url.isEmpty();
        }
    }

    /** Read by the logging set-up in {@code Main}. */
    public record Logging(String level, boolean requests) {
    }

    /** Read by the demo stream and page. */
    public record Demo(boolean enabled, int liveWindowSegments) {
    }

    /** Read by the mesh coordinator and the policy defaults. Network lists are CIDRs. */
    public record Mesh(int targetDegree, int maxNeighbours, int leadersPerSite, boolean uploadOnCellular,
                       boolean uploadOnWifi, int maxUploads, int maxUploadKbps, List<String> trustedNetworks, List<String> candidateNetworks, int resumeGraceMs) {
        public Mesh {
            trustedNetworks = List.copyOf(trustedNetworks);
            candidateNetworks = List.copyOf(candidateNetworks);
        }
    }

    /** Read by the signaling endpoint: abuse limits and timers. */
    public record Signaling(List<String> trustedProxies, int maxConnectionsPerIp, int maxConnectionsPerIpv6Prefix,
                            int maxConnections, int messagesPerSecond, int messageBurst, int heartbeatMs,
                            int helloTimeoutMs) {
        public Signaling {
            trustedProxies = List.copyOf(trustedProxies);
        }
    }

    /**
     * Read by the administrator accounts (sign-in back-off, Argon2id cost and concurrency) and
     * console sessions. {@code maxConcurrentHashes} 0 means derived from the machine.
     */
    public record Auth(int lockoutFailures, int lockoutMinutes, int sessionIdleMinutes, int sessionAbsoluteHours,
                       int argon2MemoryKib, int argon2Iterations, int maxConcurrentHashes) {
    }

    /** Read by {@code ApplianceServer}: loopback-only diagnostic endpoints, off by default. */
    public record Diagnostics(boolean heapEndpoint) {
    }

    /** Read by the QoE aggregator (flushing) and the rollup job (rollups and retention). */
    public record Qoe(int flushIntervalMs, int maxUnflushedRows, int rollupIntervalMs, int minuteRetentionDays,
                      int hourRetentionDays) {
    }

    /** Read by the {@code /metrics} handler: who may scrape without a bearer token. */
    public record Metrics(List<String> allowedNetworks) {
        public Metrics {
            allowedNetworks = List.copyOf(allowedNetworks);
        }
    }

    /**
     * Read by signaling admission: page origins that may join streams whose policy names none,
     * besides the appliance's own; each normalised to {@code scheme://host[:port]} as browsers
     * send it (lower case, no default port).
     */
    /** Page and media origins, read by admission and the integrity anchor. */
    public record Security(List<String> intranetOrigins, List<String> mediaOrigins) {
        public Security {
            intranetOrigins = List.copyOf(intranetOrigins);
            mediaOrigins = List.copyOf(mediaOrigins);
        }
    }

    /** Read by the mDNS announcer ({@code io.swarmgate.discovery}); addresses as written. */
    public record Discovery(boolean enabled, List<String> interfaces) {
        public Discovery {
            interfaces = List.copyOf(interfaces);
        }
    }

    /**
     * Read by the STUN responder ({@code io.swarmgate.stun}); {@code bind} an IP literal, empty for
     * {@link Server#bind()}'s address (every interface when that is empty too).
     */
    public record Stun(boolean enabled, int port, String bind) {
    }

    /** Read by the integrity anchor ({@code io.swarmgate.integrity}). */
    public record Integrity(int hashTtlSeconds, int maxSegmentMib, int fetchTimeoutMs, int maxFetches,
                            int reportsToBar, int barMinutes) {
    }

    /**
     * Read by the audit log ({@code io.swarmgate.audit}): signed checkpoints, retention and syslog
     * forwarding ({@code syslogAddress} empty: off; {@code syslogCaFile} empty: the JVM's trust;
     * {@code syslogClientCertFile} and {@code syslogClientKeyFile} both empty: no client certificate,
     * else both set, with TLS).
     */
    public record Audit(int checkpointIntervalSeconds, int retentionDays, String syslogAddress, boolean syslogTls,
                        String syslogCaFile, String syslogClientCertFile, String syslogClientKeyFile) {

        public boolean forwarding() {
            return !syslogAddress.isEmpty();
        }

        public String syslogHost() {
            String host = syslogAddress.substring(0, syslogAddress.lastIndexOf(':'));
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }

        public int syslogPort() {
            return Integer.parseInt(syslogAddress.substring(syslogAddress.lastIndexOf(':') + 1));
        }
    }

    /** Built-in defaults only: what a run with no file, environment or flags gets. */
    public static ApplianceConfig defaults() {
        return ConfigLoader.load(null, java.util.Map.of(), java.util.Map.of());
    }
}
