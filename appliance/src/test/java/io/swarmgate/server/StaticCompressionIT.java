package io.swarmgate.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance's own scripts and pages go out gzipped to clients that accept it; video and the API never. */
class StaticCompressionIT {

    @TempDir
    static Path tmp;

    static Appliance appliance;
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        appliance = TestAppliance.start(tmp.resolve("data"), Clock.systemUTC(), Map.of(ConfigKey.DEMO_ENABLED, "true"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    private static HttpResponse<byte[]> get(String path, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.httpUri().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] bytes) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    @Test
    void theSdkAndTheDemoPlayerGoOutGzippedWithTheSameContentAndSecurityHeaders() throws Exception {
        for (String path : new String[] {"/sdk/swarmgate.js", "/demo/hls.min.js", "/demo/", "/console/"}) {
            HttpResponse<byte[]> plain = get(path, false);
            HttpResponse<byte[]> zipped = get(path, true);
            assertEquals(200, plain.statusCode(), path);
            assertEquals(200, zipped.statusCode(), path);
            assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty(), path + " plain for clients without gzip");
            assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""), path);
            assertTrue(zipped.headers().allValues("Vary").toString().contains("Accept-Encoding"), path);
            assertArrayEquals(plain.body(), gunzip(zipped.body()), path + " decompresses to the same bytes");
            assertTrue(zipped.headers().firstValue("Content-Security-Policy").isPresent(), path + " keeps its headers");
        }
        int raw = get("/demo/hls.min.js", false).body().length;
        int sent = get("/demo/hls.min.js", true).body().length;
        assertTrue(sent * 2 < raw, "hls.js: " + sent + " bytes sent for " + raw);
    }

    @Test
    void videoAndApiAnswersAreNeverCompressed() throws Exception {
        String playlist = new String(get("/demo/live/media.m3u8", false).body());
        String segment = playlist.lines().filter(l -> l.endsWith(".ts")).findFirst().orElseThrow();
        HttpResponse<byte[]> video = get("/demo/live/" + segment, true);
        assertEquals(200, video.statusCode());
        assertTrue(video.headers().firstValue("Content-Encoding").isEmpty(), "segments are sent as they are");
        HttpResponse<byte[]> api = get("/api/v1/session", true);
        assertTrue(api.headers().firstValue("Content-Encoding").isEmpty(), "API answers are never compressed");
    }
}
