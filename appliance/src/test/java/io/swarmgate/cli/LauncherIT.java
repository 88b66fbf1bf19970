package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.pki.TrustAnchors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as an operator runs it: separate JVM, real signals, real exit codes. */
class LauncherIT {

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    private static String jar() {
        return System.getProperty("swarmgate.jar", "target/swarmgate.jar");
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().keySet().removeIf(k -> k.startsWith("SWARMGATE_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private record Outcome(int code, String out, String err) {
    }

    private Outcome run(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "command finished");
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(120)
    void initThenServeAnswersOverTlsAndSigtermStopsCleanly() throws Exception {
        Path data = tmp.resolve("data");
        Outcome init = run(Map.of(), "init", "--data-dir", data.toString());
        assertEquals(0, init.code(), init.err());
        assertTrue(init.out().contains("Created CA:"), init.out());
        assertTrue(Files.exists(data.resolve("pki/ca.crt")));

        Outcome again = run(Map.of(), "init", "--data-dir", data.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("CA (kept):"), again.out());

        Process serve = start(Map.of(), "serve", "--data-dir", data.toString(), "--bind", "127.0.0.1",
                "--https-port", "0", "--http-port", "0");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        URI https = null;
        Pattern pattern = Pattern.compile("\\s*(https://127\\.0\\.0\\.1:\\d+/)");
        while (https == null) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line == null) {
                if (!serve.isAlive()) {
                    throw new AssertionError("serve exited early: "
                            + new String(serve.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                continue;
            }
            Matcher m = pattern.matcher(line);
            if (m.matches()) {
                https = URI.create(m.group(1));
            }
        }
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TrustAnchors.clientContext(data.resolve("pki/ca.crt"))).build();
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(https.resolve("/healthz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());

        serve.destroy(); // SIGTERM
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
        String log = Files.readString(data.resolve("log/swarmgate.log"));
        assertTrue(log.contains("server - stopped"), "clean stop logged:\n" + log);
        assertFalse(log.contains("cannot record the stop"), "the stop is audited before the database closes:\n" + log);
        Path export = tmp.resolve("audit.jsonl");
        Outcome exported = run(Map.of(), "audit", "export", "--format", "jsonl", "--out", export.toString(),
                "--data-dir", data.toString());
        assertEquals(0, exported.code(), exported.err());
        String entries = Files.readString(export);
        assertTrue(entries.contains("\"appliance.started\"") && entries.contains("\"appliance.stopped\""),
                "start and stop both recorded:\n" + entries);
        assertTrue(Files.exists(data.resolve("log/access.log")));
        // The JDK's client asks for HTTP/2 and the HTTPS port grants it (server.http2).
        String access = Files.readString(data.resolve("log/access.log"));
        assertTrue(access.contains("\"GET /healthz HTTP/2.0\" 200"), access);
    }

    @Test
    @Timeout(60)
    void unknownEnvironmentVariableExitsTwoNamingTheClosestKey() throws Exception {
        Outcome o = run(Map.of("SWARMGATE_SERVER_HTTPS_PROT", "9443"), "serve", "--data-dir", tmp.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("SWARMGATE_SERVER_HTTPS_PORT"), o.err());
    }

    @Test
    @Timeout(60)
    void certImportOfGarbageExitsTwoAndKeepsTheCertificate() throws Exception {
        Path data = tmp.resolve("data");
        assertEquals(0, run(Map.of(), "init", "--data-dir", data.toString()).code());
        byte[] before = Files.readAllBytes(data.resolve("pki/server.crt"));
        Path garbage = tmp.resolve("garbage.pem");
        Files.writeString(garbage, "this is not a certificate\n");
        Outcome o = run(Map.of(), "cert", "import", "--data-dir", data.toString(), garbage.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("certificate not installed"), o.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(data.resolve("pki/server.crt"))));

        Outcome show = run(Map.of(), "cert", "show", "--data-dir", data.toString());
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("localhost"), show.out());

        Path csr = tmp.resolve("req.csr");
        Outcome req = run(Map.of(), "cert", "csr", "--data-dir", data.toString(), "--out", csr.toString());
        assertEquals(0, req.code(), req.err());
        assertTrue(Files.readString(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
    }
}
