package io.swarmgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.api.Json;
import io.swarmgate.pki.TrustAnchors;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real appliance on ephemeral ports, with a fresh data directory, talked to over real TLS. */
class ApplianceServerIT {

    @TempDir
    static Path tmp;

    static Appliance appliance;
    static HttpClient trusting;

    @BeforeAll
    static void start() throws Exception {
        appliance = TestAppliance.start(tmp.resolve("data"));
        trusting = HttpClient.newBuilder().sslContext(TrustAnchors.clientContext(appliance.pki().caCertificateFile()))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void clientTrustingOnlyTheApplianceCaCompletesTheHandshake() throws Exception {
        HttpResponse<String> r = get(trusting, appliance.httpsUri().resolve("/healthz"));
        assertEquals(200, r.statusCode());
        assertEquals("up", json(r).get("status").asText());
        assertTrue(r.sslSession().isPresent());
        String protocol = r.sslSession().get().getProtocol();
        assertTrue(protocol.equals("TLSv1.3") || protocol.equals("TLSv1.2"), protocol);
    }

    @Test
    void clientWithoutTheApplianceCaFailsTheHandshake() throws Exception {
        // The JVM's public roots: everything a client trusts by default, nothing of this appliance.
        HttpClient untrusting = HttpClient.newBuilder().sslContext(SSLContext.getDefault()).build();
        Exception e = assertThrows(Exception.class, () -> get(untrusting, appliance.httpsUri().resolve("/healthz")));
        Throwable t = e;
        while (t != null && !(t instanceof SSLHandshakeException)) {
            t = t.getCause();
        }
        assertTrue(t instanceof SSLHandshakeException, "expected a handshake failure, got " + e);
    }

    @Test
    void legacyTlsVersionsAreRefused() throws Exception {
        SSLContext ctx = TrustAnchors.clientContext(appliance.pki().caCertificateFile());
        URI uri = appliance.httpsUri();
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(uri.getHost(), uri.getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
            assertThrows(SSLHandshakeException.class, socket::startHandshake, "CBC suites are not offered");
        }
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() throws Exception {
        for (String path : new String[] {"/healthz", "/no/such/page", "/console/"}) {
            HttpResponse<String> r = get(trusting, appliance.httpsUri().resolve(path));
            var h = r.headers();
            assertTrue(h.firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"), path);
            assertEquals("nosniff", h.firstValue("X-Content-Type-Options").orElse(null), path);
            assertEquals("no-referrer", h.firstValue("Referrer-Policy").orElse(null), path);
            assertEquals("max-age=31536000", h.firstValue("Strict-Transport-Security").orElse(null), path);
            assertFalse(h.firstValue("Server").isPresent(), "no server banner on " + path);
        }
        HttpResponse<String> console = get(trusting, appliance.httpsUri().resolve("/console/"));
        assertTrue(console.headers().firstValue("Content-Security-Policy").orElseThrow().contains("frame-ancestors 'none'"));
        assertEquals("DENY", console.headers().firstValue("X-Frame-Options").orElse(null));
    }

    @Test
    void plainHttpHasNoHstsButTheOtherHeaders() throws Exception {
        HttpResponse<String> r = get(HttpClient.newHttpClient(), appliance.httpUri().resolve("/healthz"));
        assertEquals(200, r.statusCode());
        assertNull(r.headers().firstValue("Strict-Transport-Security").orElse(null));
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
    }

    @Test
    void unknownPathsGetTheJsonErrorShape() throws Exception {
        HttpResponse<String> r = get(trusting, appliance.httpsUri().resolve("/no/such/page"));
        assertEquals(404, r.statusCode());
        assertEquals("not_found", json(r).at("/error/code").asText());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void readinessReportsTheDatabaseAndHealthRejectsWrites() throws Exception {
        HttpResponse<String> r = get(trusting, appliance.httpsUri().resolve("/readyz"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("ready", json(r).get("status").asText());
        assertEquals("ok", json(r).at("/checks/database/status").asText());

        HttpResponse<String> post = trusting.send(HttpRequest.newBuilder(appliance.httpsUri().resolve("/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("method_not_allowed", json(post).at("/error/code").asText());
    }

    @Test
    void rootRedirectsToTheConsoleWhichIsServed() throws Exception {
        HttpResponse<String> root = get(trusting, appliance.httpsUri().resolve("/"));
        assertEquals(301, root.statusCode());
        assertTrue(root.headers().firstValue("Location").orElseThrow().endsWith("/console/"));
        HttpResponse<String> console = get(trusting, appliance.httpsUri().resolve("/console/"));
        assertEquals(200, console.statusCode());
        assertTrue(console.body().contains("<title>Swarmgate console</title>"));
    }

    @Test
    void unchangedConsoleFilesAreRevalidatedWith304() throws Exception {
        HttpResponse<String> first = get(trusting, appliance.httpsUri().resolve("/console/"));
        String etag = first.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = trusting.send(HttpRequest.newBuilder(appliance.httpsUri().resolve("/console/"))
                .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode(), again.body());
        String modified = first.headers().firstValue("Last-Modified").orElse(null);
        if (modified != null) {
            HttpResponse<String> since = trusting.send(HttpRequest.newBuilder(appliance.httpsUri().resolve("/console/"))
                    .header("If-Modified-Since", modified).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(304, since.statusCode(), since.body());
        }
    }

    @Test
    void demoIsOffUnlessEnabled() throws Exception {
        assertEquals(404, get(trusting, appliance.httpsUri().resolve("/demo/")).statusCode());
    }
}
