package io.swarmgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Appliance;
import io.swarmgate.Await;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.api.Json;
import io.swarmgate.signaling.TestViewer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} on a real appliance: Prometheus text for allowed networks, 403 for everyone else. */
@Timeout(60)
class MetricsIT {

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    private Appliance start(Map<String, String> extra) throws Exception {
        return TestAppliance.start(tmp, Clock.systemUTC(), extra);
    }

    private HttpResponse<String> get(Appliance a, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(a.httpUri().resolve("/metrics"));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double sample(String body, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(body);
        assertTrue(m.find(), "no sample " + series + " in\n" + body);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void loopbackScrapesPrometheusTextWithViewersBytesErrorsAndJvm() throws Exception {
        try (Appliance a = start(Map.of());
             TestViewer viewer = TestViewer.connect(URI.create("ws://127.0.0.1:" + a.httpUri().getPort() + "/ws"),
                     "127.0.0.1", null)) {
            JsonNode welcome = viewer.joinStream("town-hall");
            String site = welcome.get("site").asText();

            // The join is visible at once: the live view and the gauge read the signaling service's count.
            assertEquals(1.0, a.qoe().queries().live().overall().viewers());
            HttpResponse<String> r = get(a, null);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String body = r.body();
            assertEquals(1.0, sample(body, "swarmgate_viewers{site=\"" + site + "\",stream=\"town-hall\"}"));
            assertEquals(1.0, sample(body, "swarmgate_websocket_connections"));
            assertEquals(0.0, sample(body, "swarmgate_signaling_errors_total{code=\"invalid_json\"}"));
            assertEquals(0.0, sample(body, "swarmgate_mesh_pairings_failed_total{reason=\"connect\"}"));
            assertTrue(body.contains("jvm_memory_used_bytes{"));
            assertTrue(body.contains("jvm_threads_live_threads"));

            viewer.send("{\"type\":\"report\",\"httpBytes\":1000,\"p2pBytes\":3000,\"uploadedBytes\":500,\"stalls\":0,"
                    + "\"stallMs\":0,\"watchMs\":10000,\"startupMs\":700,\"level\":1,\"bitrateKbps\":2500,"
                    + "\"neighbours\":0,\"failures\":{\"timeout\":0,\"integrity\":0,\"gone\":0,\"noHolder\":0,\"policy\":0}}");
            viewer.send("not json");
            viewer.awaitError("invalid_json");
            Await.until("the report to be received", Duration.ofSeconds(10), () -> a.signaling().reportsReceived() >= 1);
            body = get(a, null).body();
            assertEquals(1.0, sample(body, "swarmgate_qoe_reports_total"));
            assertEquals(1000.0, sample(body, "swarmgate_bytes_total{source=\"http\"}"));
            assertEquals(3000.0, sample(body, "swarmgate_bytes_total{source=\"p2p\"}"));
            assertEquals(500.0, sample(body, "swarmgate_bytes_total{source=\"uploaded\"}"));
            assertEquals(0.75, sample(body, "swarmgate_peer_efficiency"));
            assertEquals(1.0, sample(body, "swarmgate_signaling_errors_total{code=\"invalid_json\"}"));
        }
    }

    @Test
    void clientsOutsideTheAllowedNetworksGet403EvenWithABearerToken() throws Exception {
        try (Appliance a = start(Map.of(ConfigKey.METRICS_ALLOWED_NETWORKS, "10.0.0.0/8"))) {
            for (String authorization : new String[] {null, "Bearer some-token", "Basic YWRtaW46YWRtaW4="}) {
                HttpResponse<String> r = get(a, authorization);
                assertEquals(403, r.statusCode(), "Authorization: " + authorization);
                assertEquals("forbidden", Json.MAPPER.readTree(r.body()).at("/error/code").asText());
            }
        }
    }

    @Test
    void anEmptyNetworkListLeavesOnlyTokensWhichAreAllRejectedForNow() throws Exception {
        try (Appliance a = start(Map.of(ConfigKey.METRICS_ALLOWED_NETWORKS, ""))) {
            assertEquals(403, get(a, null).statusCode());
            assertEquals(403, get(a, "Bearer x").statusCode());
        }
    }
}
