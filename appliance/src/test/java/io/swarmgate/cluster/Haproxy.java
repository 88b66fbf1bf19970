package io.swarmgate.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian's {@code haproxy}) running {@code config/haproxy.cfg.example} for tests,
 * changed only where a test must: a free loopback port instead of 443, the test's appliances and
 * files instead of the example's addresses and paths, quicker health checks, and for the tests
 * that are not about TLS, plain HTTP on both sides. Everything that decides where viewers go
 * (stream hashing, health check, redispatch) and how TLS is spoken is the shipped file's.
 */
final class Haproxy implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/haproxy");
    static final Path EXAMPLE = Path.of("../config/haproxy.cfg.example");

    private final Process process;
    private final int port;
    private final int statsPort;
    private final Path log;

    private Haproxy(Process process, int port, int statsPort, Path log) {
        this.process = process;
        this.port = port;
        this.statsPort = statsPort;
        this.log = log;
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** The example's TLS lines, which a plain-HTTP run takes out. */
    static final String BIND_TLS = "bind :443 ssl crt /etc/haproxy/swarmgate.pem alpn h2,http/1.1";
    static final String SERVER_TLS = " ssl verify required ca-file /etc/haproxy/swarmgate-ca.crt verifyhost swarmgate.corp.example";
    /** The name the example's HAProxy checks in the appliances' certificates. */
    static final String CLUSTER_NAME = "swarmgate.corp.example";

    /**
     * The files a balancer on TLS uses in place of the example's: its own certificate chain and
     * private key (PEM, one file), the CA it checks the appliances against, and the name it expects
     * in their certificates (the example's is {@link #CLUSTER_NAME}).
     */
    record Tls(Path pem, Path caFile, String applianceName) {
        Tls(Path pem, Path caFile) {
            this(pem, caFile, CLUSTER_NAME);
        }
    }

    /** Starts HAProxy in front of two appliances' plain-HTTP ports, checking them every {@code interMs}. */
    static Haproxy start(Path dir, int first, int second, int interMs) throws IOException, InterruptedException {
        String config = example(first, second, interMs)
                .replace(BIND_TLS, "bind 127.0.0.1:" + PORT_MARK)
                .replace(SERVER_TLS, "");
        return launch(dir, config, true);
    }

    /**
     * Starts HAProxy with the example's TLS on both sides, as shipped: only the two file names, the
     * listening address and the appliances' addresses (their HTTPS ports) are the test's. With
     * {@code awaitUp} false it returns as soon as HAProxy runs, whatever its checks find.
     */
    static Haproxy startTls(Path dir, Tls tls, int first, int second, int interMs, boolean awaitUp)
            throws IOException, InterruptedException {
        String config = example(first, second, interMs)
                .replace(BIND_TLS, BIND_TLS.replace("bind :443", "bind 127.0.0.1:" + PORT_MARK)
                        .replace("/etc/haproxy/swarmgate.pem", tls.pem().toString()))
                .replace(SERVER_TLS, SERVER_TLS.replace("/etc/haproxy/swarmgate-ca.crt", tls.caFile().toString())
                        .replace(CLUSTER_NAME, tls.applianceName()));
        return launch(dir, config, awaitUp);
    }

    private static final String PORT_MARK = "@PORT@";

    /** The example with this machine's limits, the test's check interval and the appliances' loopback ports. */
    private static String example(int first, int second, int interMs) throws IOException {
        if (!available()) {
            throw new IllegalStateException("HAProxy is not installed (apt-get install haproxy)");
        }
        String config = Files.readString(EXAMPLE);
        // Each line the test relies on must still be there: a changed example must not leave the
        // test silently on other settings.
        for (String line : List.of("maxconn 100000", BIND_TLS, SERVER_TLS, "inter 1s fall 2 rise 2",
                "192.0.2.11:8443", "192.0.2.12:8443")) {
            if (!config.contains(line)) {
                throw new IllegalStateException(EXAMPLE + " no longer contains '" + line + "': update " + Haproxy.class.getName());
            }
        }
        return config
                // This machine's hard open-file limit is 20,000.
                .replace("maxconn 100000", "maxconn 4000")
                .replace("inter 1s fall 2 rise 2", "inter " + interMs + " fall 2 rise 1")
                .replace("192.0.2.11:8443", "127.0.0.1:" + first)
                .replace("192.0.2.12:8443", "127.0.0.1:" + second);
    }

    private static Haproxy launch(Path dir, String example, boolean awaitUp) throws IOException, InterruptedException {
        // Every example path and address must have been replaced (a line changed in one backend only
        // would otherwise stay as shipped).
        example.lines().filter(l -> l.contains("/etc/haproxy/") || l.contains("192.0.2.")).findFirst().ifPresent(l -> {
            throw new IllegalStateException(EXAMPLE + " has a line this test does not rewrite: '" + l.trim() + "'");
        });
        int port = freePort();
        int statsPort = freePort();
        String config = example.replace(PORT_MARK, Integer.toString(port))
                // For the test to know the appliances' state, not part of the example.
                + "\nlisten stats\n    bind 127.0.0.1:" + statsPort + "\n    stats enable\n    stats uri /stats\n";
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        Path log = dir.resolve("haproxy.log");
        Process p = new ProcessBuilder(List.of(BINARY.toString(), "-db", "-f", file.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Haproxy haproxy = new Haproxy(p, port, statsPort, log);
        try {
            io.swarmgate.Await.until(awaitUp ? "HAProxy to see both appliances up" : "HAProxy to check both appliances",
                    java.time.Duration.ofSeconds(30), () -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("HAProxy exited: " + Files.readString(log));
                        }
                        List<String> states = haproxy.viewerServerStates();
                        return states.size() == 2 && states.stream().allMatch(awaitUp ? "UP"::equals : s -> !s.isEmpty());
                    });
        } catch (Exception e) {
            haproxy.close();
            throw new IOException(e.getMessage(), e);
        }
        return haproxy;
    }

    /**
     * The state HAProxy's checks give each server of the viewers' backend ({@code UP}, {@code DOWN},
     * ...), in the example's order; empty when the stats page does not answer.
     */
    List<String> viewerServerStates() {
        java.net.URI stats = java.net.URI.create("http://127.0.0.1:" + statsPort + "/stats;csv");
        try {
            String csv = STATS.send(java.net.http.HttpRequest.newBuilder(stats).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return csv.lines().filter(l -> l.startsWith("viewers,appliance")).map(l -> l.split(",")[17]).toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static final java.net.http.HttpClient STATS = java.net.http.HttpClient.newHttpClient();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
