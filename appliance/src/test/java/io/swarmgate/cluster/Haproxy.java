package io.swarmgate.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian's {@code haproxy}) running {@code config/haproxy.cfg.example} for tests,
 * changed only where a test must: plain HTTP on a free loopback port instead of TLS on 443, the
 * test's appliances instead of the example addresses, and quicker health checks. Everything that
 * decides where viewers go (stream hashing, health check, redispatch) is the shipped file's.
 */
final class Haproxy implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/haproxy");
    static final Path EXAMPLE = Path.of("../config/haproxy.cfg.example");

    private final Process process;
    private final int port;
    private final Path log;

    private Haproxy(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Starts HAProxy in front of two appliances' plain-HTTP ports, checking them every {@code interMs}. */
    static Haproxy start(Path dir, int first, int second, int interMs) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("HAProxy is not installed (apt-get install haproxy)");
        }
        int port = freePort();
        int statsPort = freePort();
        String config = Files.readString(EXAMPLE)
                // This machine's hard open-file limit is 20,000.
                .replace("maxconn 100000", "maxconn 4000")
                .replace("bind :443 ssl crt /etc/haproxy/swarmgate.pem", "bind 127.0.0.1:" + port)
                .replace(" ssl verify required ca-file /etc/haproxy/swarmgate-ca.crt", "")
                .replace("inter 1s fall 2 rise 2", "inter " + interMs + " fall 2 rise 1")
                .replace("192.0.2.11:8443", "127.0.0.1:" + first)
                .replace("192.0.2.12:8443", "127.0.0.1:" + second)
                // For the test to know when both appliances are up, not part of the example.
                + "\nlisten stats\n    bind 127.0.0.1:" + statsPort + "\n    stats enable\n    stats uri /stats\n";
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        Path log = dir.resolve("haproxy.log");
        Process p = new ProcessBuilder(List.of(BINARY.toString(), "-db", "-f", file.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Haproxy haproxy = new Haproxy(p, port, log);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI stats = java.net.URI.create("http://127.0.0.1:" + statsPort + "/stats;csv");
        try {
            io.swarmgate.Await.until("HAProxy to see both appliances up", java.time.Duration.ofSeconds(30), () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("HAProxy exited: " + Files.readString(log));
                }
                try {
                    String csv = http.send(java.net.http.HttpRequest.newBuilder(stats).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    return csv.lines().filter(l -> l.startsWith("viewers,appliance"))
                            .filter(l -> l.split(",")[17].equals("UP")).count() == 2;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (Exception e) {
            haproxy.close();
            throw new IOException(e.getMessage(), e);
        }
        return haproxy;
    }

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
