package io.swarmgate.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} binaries, a fresh cluster in a
 * temporary directory, listening on 127.0.0.1 on a free port only, with password authentication
 * for its one role. As root the server runs as the {@code postgres} account (PostgreSQL refuses
 * root). {@link #close} stops it immediately and deletes its files, also after a failed test.
 */
public final class PostgresServer implements AutoCloseable {

    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String USER = "swarmgate";

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final int port;
    private final Path passwordFile;
    private final boolean asPostgres;

    private PostgresServer(Path dir, int port, Path passwordFile, boolean asPostgres) {
        this.dir = dir;
        this.port = port;
        this.passwordFile = passwordFile;
        this.asPostgres = asPostgres;
    }

    /** Whether Debian's PostgreSQL 15 is installed here. */
    public static boolean available() {
        return Files.isExecutable(BIN.resolve("postgres"));
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (apt-get install postgresql)");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("swarmgate-pg");
        Path password = dir.resolve("password");
        Files.writeString(password, "pw-" + java.util.UUID.randomUUID() + "\n", StandardCharsets.UTF_8);
        PostgresServer server = new PostgresServer(dir, freePort(), password, root);
        try {
            if (root) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            server.as(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--auth=scram-sha-256", "--pwfile=" + password, "-E", "UTF8", "--no-sync"));
            server.as(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
                    "-l", dir.resolve("log").toString(), "-o",
                    "-c listen_addresses=127.0.0.1 -c port=" + server.port + " -c unix_socket_directories="
                            + dir + " -c fsync=off -c max_connections=200", "start"));
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A new empty database on this server; its JDBC URL. */
    public String newDatabase() throws SQLException, IOException {
        String name = "swarmgate_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The file holding the role's password, as {@code database.password-file} takes it. */
    public Path passwordFile() {
        return passwordFile;
    }

    public String password() throws IOException {
        return Files.readString(passwordFile).strip();
    }

    private void as(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                as(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                        "-w", "stop"));
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("PostgreSQL test server in " + dir + " did not stop: " + e.getMessage());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("cannot delete " + dir + ": " + e.getMessage());
            }
        }
    }
}
