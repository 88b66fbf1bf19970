package io.swarmgate.integrity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The appliance's fetch of a segment for its hash, against a real HTTP server on loopback. */
class HttpOriginIT {

    private static final byte[] SEGMENT = "a segment's bytes, as the origin serves them".getBytes(StandardCharsets.US_ASCII);

    private HttpServer server;
    private final Map<String, Map<String, List<String>>> requests = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/live/", exchange -> {
            requests.put(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()));
            switch (exchange.getRequestURI().getPath()) {
                case "/live/seg-1.ts" -> {
                    exchange.sendResponseHeaders(200, SEGMENT.length);
                    exchange.getResponseBody().write(SEGMENT);
                }
                case "/live/moved.ts" -> {
                    exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/elsewhere.ts");
                    exchange.sendResponseHeaders(302, -1);
                }
                default -> exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private SegmentHashes.Answer fetch(String path) throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + path;
        return new HttpOrigin(Duration.ofSeconds(5), "test").fetch(SegmentUrl.parse(url).orElseThrow(), 1 << 20)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPlainHttpOriginIsAskedOverHttp11WithoutAnUpgradeAndTheBytesAreHashed() throws Exception {
        SegmentHashes.Answer answer = fetch("/live/seg-1.ts");
        SegmentHashes.Known known = assertInstanceOf(SegmentHashes.Known.class, answer);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(SEGMENT), known.sha256());
        assertEquals(SEGMENT.length, known.length());
        Map<String, List<String>> headers = requests.get("/live/seg-1.ts");
        assertFalse(headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Upgrade") || h.equalsIgnoreCase("HTTP2-Settings")),
                "no h2c upgrade offered: " + headers);
    }

    @Test
    void aRedirectIsNotFollowedAndAMissingSegmentIsNotFound() throws Exception {
        SegmentHashes.Failed moved = assertInstanceOf(SegmentHashes.Failed.class, fetch("/live/moved.ts"));
        assertEquals(SegmentHashes.Failure.ORIGIN_UNAVAILABLE, moved.failure());
        SegmentHashes.Failed missing = assertInstanceOf(SegmentHashes.Failed.class, fetch("/live/gone.ts"));
        assertEquals(SegmentHashes.Failure.NOT_FOUND, missing.failure());
    }
}
