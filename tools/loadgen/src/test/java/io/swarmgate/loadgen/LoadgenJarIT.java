package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar {@code tools/loadgen/target/swarmgate-loadgen.jar} as scripts run it: help, exit codes, the JSON line. */
@Timeout(120)
class LoadgenJarIT {

    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private Result runJar(String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("swarmgate.loadgen.jar", "target/swarmgate-loadgen.jar"));
        assertTrue(Files.isRegularFile(jar), "built by mvn package: " + jar);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(100, TimeUnit.SECONDS), "the tool ended");
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpExitsZeroAndNamesTheTool() throws Exception {
        Result r = runJar("--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: swarmgate-loadgen"), r.out());
        assertTrue(r.out().contains("--server-heap-url"), r.out());
    }

    @Test
    void aBadOptionExitsTwo() throws Exception {
        Result r = runJar("--url", "http://127.0.0.1:1/ws");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--url must start with ws://"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aCaFileThatHoldsNoCertificateExitsTwoNamingTheOption(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
        Result r = runJar("--url", "wss://127.0.0.1:1/ws", "--ca", ca.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--ca " + ca), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aRunNobodyAnswersExitsOneWithTheJsonLineLastOnStdout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Result r = runJar("--url", "ws://127.0.0.1:" + closedPort + "/ws", "--json", "--peers", "2", "--subnets", "1",
                "--duration", "0", "--warmup-peers", "0");
        assertEquals(1, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length, "only the JSON line with --json: " + r.out());
        JsonNode json = new ObjectMapper().readTree(lines[0]);
        assertEquals(2, json.get("peers").asInt());
        assertEquals(0, json.get("joined").asInt());
        assertEquals(2, json.get("errors").asInt(), r.err());
        assertTrue(r.err().contains("first connect failure"), "progress and diagnostics go to stderr: " + r.err());
    }
}
