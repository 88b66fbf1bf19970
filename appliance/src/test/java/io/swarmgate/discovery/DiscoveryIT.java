package io.swarmgate.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.pki.Pki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged appliance announces itself over real multicast DNS and {@code swarmgate discover}
 * finds it with its CA fingerprint, across a link: the appliance in one network namespace, the
 * command in another, joined by a veth pair, so no packet reaches the machine's networks.
 * Needs root; in CI a missing prerequisite fails the test.
 */
class DiscoveryIT {

    @TempDir
    Path tmp;

    private static String jar() {
        return System.getProperty("swarmgate.jar", "target/swarmgate.jar");
    }

    private static boolean isRoot() throws Exception {
        Process p = new ProcessBuilder("id", "-u").start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().equals("0");
    }

    @Test
    @Timeout(180)
    void discoverFindsTheAppliancesAnnouncementWithItsCaFingerprint() throws Exception {
        if (!isRoot()) {
            if (System.getenv("CI") != null) {
                fail("DiscoveryIT needs root to create network namespaces");
            }
            System.out.println("DiscoveryIT skipped: needs root to create a network namespace");
            Assumptions.abort("needs root");
        }
        Path data = tmp.resolve("data");
        Process init = new ProcessBuilder("java", "-jar", jar(), "init", "--data-dir", data.toString())
                .redirectErrorStream(true).start();
        init.getInputStream().readAllBytes();
        assertEquals(0, init.waitFor(), "init");
        String fingerprint = Pki.at(data.resolve("pki")).report().ca().sha256Fingerprint();

        // Two namespaces joined by one veth pair: the appliance's LAN and an administrator's laptop.
        String a = "sgd-" + ProcessHandle.current().pid() + "-a";
        String b = "sgd-" + ProcessHandle.current().pid() + "-b";
        String script = String.join("\n",
                "set -e",
                "cleanup() { [ -n \"$serve\" ] && kill $serve 2>/dev/null; wait 2>/dev/null;"
                        + " ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; true; }",
                "trap cleanup EXIT",
                "ip netns add $A; ip netns add $B",
                "ip link add sgd0 netns $A type veth peer name sgd1 netns $B",
                "ip -n $A addr add 10.203.0.1/24 dev sgd0; ip -n $B addr add 10.203.0.2/24 dev sgd1",
                "for n in $A $B; do ip -n $n link set lo up; done",
                "ip -n $A link set sgd0 up; ip -n $B link set sgd1 up",
                "ip -n $A route add 224.0.0.0/4 dev sgd0; ip -n $B route add 224.0.0.0/4 dev sgd1",
                "ip netns exec $A java -jar \"$JAR\" serve --data-dir \"$DATA\" --bind 10.203.0.1 --https-port 0"
                        + " --http-port 0 >\"$DATA/serve.out\" 2>&1 &",
                "serve=$!",
                "for i in $(seq 1 20); do",
                "  out=$(ip netns exec $B java -jar \"$JAR\" discover --interface 10.203.0.2 --timeout 3 --json)",
                "  if [ -n \"$out\" ]; then echo \"$out\"; exit 0; fi",
                "done",
                "echo 'nothing found' >&2; cat \"$DATA/serve.out\" >&2; exit 1");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectErrorStream(false);
        pb.environment().keySet().removeIf(k -> k.startsWith("SWARMGATE_"));
        pb.environment().put("JAR", Path.of(jar()).toAbsolutePath().toString());
        pb.environment().put("DATA", data.toString());
        pb.environment().put("A", a);
        pb.environment().put("B", b);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "the namespace script ended");
        assertEquals(0, p.exitValue(), out + err);
        JsonNode found = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertEquals(fingerprint, found.path("caSha256").asText());
        assertTrue(found.path("addresses").toString().contains("10.203.0.1"), found.toString());
        assertTrue(found.path("httpsPort").asInt() > 0);
        assertEquals("/console/", found.path("path").asText());
        assertTrue(Files.readString(data.resolve("serve.out")).contains("discovery - announcing"),
                "the appliance logged its announcement");
    }
}
