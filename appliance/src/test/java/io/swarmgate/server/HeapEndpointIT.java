package io.swarmgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.api.Json;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.pki.TrustAnchors;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /internal/heap}: plain HTTP from 127.0.0.1 only, and only when configured. */
class HeapEndpointIT {

    @TempDir
    static Path tmp;

    static Appliance appliance;

    @BeforeAll
    static void start() throws Exception {
        appliance = TestAppliance.start(tmp.resolve("data"), Clock.systemUTC(),
                Map.of(ConfigKey.DIAGNOSTICS_HEAP_ENDPOINT, "true"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    @Test
    void offByDefault() {
        assertFalse(ApplianceConfig.defaults().diagnostics().heapEndpoint());
    }

    @Test
    void answersLocalhostOnThePlainListener() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(appliance.httpUri().resolve("/internal/heap"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        long used = Json.MAPPER.readTree(r.body()).get("heapUsedBytes").asLong();
        assertTrue(used > 0 && used <= Runtime.getRuntime().maxMemory(), r.body());
    }

    @Test
    void onlyGet() throws Exception {
        assertTrue(raw("127.0.0.1", "POST").startsWith("HTTP/1.1 405"));
    }

    @Test
    void otherLoopbackAddressesGet404() throws Exception {
        // 127.0.0.2 is loopback too, but the benchmark's simulated viewers live there.
        assertTrue(raw("127.0.0.2", "GET").startsWith("HTTP/1.1 404"));
    }

    @Test
    void httpsGets404() throws Exception {
        HttpClient trusting = HttpClient.newBuilder()
                .sslContext(TrustAnchors.clientContext(appliance.pki().caCertificateFile()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = trusting.send(HttpRequest.newBuilder(appliance.httpsUri().resolve("/internal/heap"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
    }

    @Test
    void localhostRecognition() throws Exception {
        assertTrue(HeapHandler.isLocalhost(InetAddress.getByName("127.0.0.1")));
        assertTrue(HeapHandler.isLocalhost(InetAddress.getByName("::1")));
        assertFalse(HeapHandler.isLocalhost(InetAddress.getByName("127.0.1.1")));
        assertFalse(HeapHandler.isLocalhost(InetAddress.getByName("10.0.0.1")));
    }

    /** One HTTP/1.1 request from {@code source}; returns the raw response head and body. */
    private static String raw(String source, String method) throws Exception {
        URI uri = appliance.httpUri();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " /internal/heap HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
