package io.swarmgate.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.signaling.TestViewer;
import io.swarmgate.store.PostgresServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two appliances on one PostgreSQL behind HAProxy running the shipped
 * {@code config/haproxy.cfg.example}: each stream's viewers meet on one appliance, streams spread
 * over both, and a stopping appliance's viewers are told to move and land on the other one through
 * the same URL.
 */
@Timeout(300)
class HaproxyClusterIT {

    @TempDir
    Path dir;

    @Test
    void streamsAreShardedOverTheAppliancesAndAStoppingAppliancesViewersMoveToTheOther() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            PostgresServer postgres = PostgresServer.start();
            open.add(postgres);
            Map<String, String> settings = new HashMap<>(Map.of(
                    ConfigKey.DATABASE_URL, postgres.newDatabase(),
                    ConfigKey.DATABASE_USER, PostgresServer.USER,
                    ConfigKey.DATABASE_PASSWORD_FILE, postgres.passwordFile().toString(),
                    ConfigKey.SIGNALING_TRUSTED_PROXIES, "127.0.0.1/32",
                    ConfigKey.LOG_REQUESTS, "false",
                    // Longer than HAProxy's check interval x fall (2 x 200 ms): it stops sending here first.
                    ConfigKey.SERVER_DRAIN_MS, "1500",
                    ConfigKey.SERVER_MOVE_SPREAD_MS, "500"));
            Appliance first = TestAppliance.start(dir.resolve("a"), Clock.systemUTC(), settings);
            open.add(first);
            SharedDatabaseIT.copyTree(dir.resolve("a/pki"), dir.resolve("b/pki"));
            Appliance second = TestAppliance.start(dir.resolve("b"), Clock.systemUTC(), settings);
            open.add(second);
            Haproxy haproxy = Haproxy.start(dir, first.httpUri().getPort(), second.httpUri().getPort(), 200);
            open.add(haproxy);

            // Three viewers of each of 12 streams, from three offices, all through the balancer.
            Map<String, List<TestViewer>> byStream = new HashMap<>();
            Map<String, Appliance> holder = new HashMap<>();
            for (int i = 0; i < 12; i++) {
                String stream = "https://video.corp.example/live/event-" + i + "/master.m3u8";
                List<TestViewer> viewers = new ArrayList<>();
                for (int v = 0; v < 3; v++) {
                    TestViewer viewer = connect(haproxy, stream, "127.0." + (10 + v) + "." + (i + 1));
                    open.add(viewer);
                    viewer.joinStream(stream);
                    viewers.add(viewer);
                }
                byStream.put(stream, viewers);
                long onFirst = viewers(first, stream);
                long onSecond = viewers(second, stream);
                assertTrue(onFirst == 3 && onSecond == 0 || onFirst == 0 && onSecond == 3,
                        stream + ": " + onFirst + " viewers on the first appliance, " + onSecond + " on the second");
                holder.put(stream, onFirst == 3 ? first : second);
            }
            long streamsOnFirst = holder.values().stream().filter(a -> a == first).count();
            assertTrue(streamsOnFirst > 0 && streamsOnFirst < 12, streamsOnFirst + " of 12 streams on the first appliance");
            // The client's own address, from X-Forwarded-For, decides its site: not HAProxy's.
            String anyStream = byStream.keySet().iterator().next();
            assertTrue(holder.get(anyStream).signaling().viewersByStreamAndSite().get(anyStream).keySet().stream()
                    .noneMatch(site -> site.contains("127.0.0.")), "sites come from the viewers' addresses");

            // The first appliance stops: its viewers are told to move and reconnect through the same URL.
            List<String> moving = holder.entrySet().stream().filter(e -> e.getValue() == first).map(Map.Entry::getKey)
                    .toList();
            first.close();
            open.remove(first);
            for (String stream : moving) {
                for (TestViewer viewer : byStream.get(stream)) {
                    JsonNode move = viewer.await("move");
                    assertEquals("draining", move.path("reason").asText());
                    assertEquals(1001, viewer.awaitClose());
                    try {
                        TestViewer again = connect(haproxy, stream, "127.0.20.1");
                        open.add(again);
                        assertEquals(stream, again.joinStream(stream).path("streamId").asText());
                    } catch (Exception | AssertionError e) {
                        throw new AssertionError("reconnecting a moved viewer of " + stream + " through HAProxy: "
                                + e.getMessage() + "\nHAProxy log:\n" + haproxy.log(), e);
                    }
                }
                assertEquals(3, viewers(second, stream), stream + " moved whole to the second appliance");
            }
            assertTrue(haproxy.alive(), haproxy.log());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static TestViewer connect(Haproxy haproxy, String stream, String source) throws Exception {
        return TestViewer.connect(URI.create("ws://127.0.0.1:" + haproxy.port() + "/ws?stream="
                + URLEncoder.encode(stream, StandardCharsets.UTF_8)), source, null);
    }

    private static long viewers(Appliance appliance, String stream) throws Exception {
        Map<String, Integer> sites = appliance.signaling().viewersByStreamAndSite().getOrDefault(stream, Map.of());
        return sites.values().stream().mapToInt(Integer::intValue).sum();
    }
}
