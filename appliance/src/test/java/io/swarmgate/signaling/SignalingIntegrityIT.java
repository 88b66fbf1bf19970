package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.config.ConfigKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The integrity anchor end to end: real viewers over WebSocket ask a real appliance for segment
 * hashes, which it learns from a real HTTP origin (a Jetty server in this test) or from its own
 * demo stream; integrity reports bar a peer.
 */
class SignalingIntegrityIT extends SignalingTestBase {

    private static final byte[] SEGMENT = "origin bytes of segment one".getBytes();
    /** A SegmentBase-style file: init, then two media segments addressed by byte range. */
    private static final byte[] SINGLE_FILE = "INIT-0123|MEDIA-ONE-456|MEDIA-TWO-789".getBytes();
    private Server origin;
    private String originUrl;
    private final Map<String, AtomicInteger> originHits = new ConcurrentHashMap<>();

    @BeforeEach
    void startOriginAndAppliance() throws Exception {
        origin = new Server();
        ServerConnector connector = new ServerConnector(origin);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        origin.addConnector(connector);
        origin.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                originHits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                switch (path) {
                    case "/live/seg-1.ts" -> {
                        response.setStatus(200);
                        response.write(true, ByteBuffer.wrap(SEGMENT), callback);
                    }
                    case "/live/moved.ts" -> {
                        response.setStatus(302);
                        response.getHeaders().put("Location", "http://127.0.0.1:1/elsewhere.ts");
                        response.write(true, null, callback);
                    }
                    case "/live/huge.ts" -> {
                        response.setStatus(200);
                        response.write(true, ByteBuffer.allocate(2 * 1024 * 1024 + 1), callback);
                    }
                    case "/live/chunk.m4s" -> {
                        // A CDN-style template: the rendition is a query parameter, part of the identity.
                        response.setStatus(200);
                        String query = request.getHttpURI().getQuery();
                        response.write(true, ByteBuffer.wrap(("chunk for " + query.replaceAll("&?token=[^&]*", ""))
                                .getBytes()), callback);
                    }
                    case "/vod/single.mp4", "/vod/no-ranges.mp4" -> {
                        String range = request.getHeaders().get("Range");
                        java.util.regex.Matcher m = range == null ? null
                                : java.util.regex.Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(range);
                        if (m == null || !m.matches() || path.equals("/vod/no-ranges.mp4")) {
                            response.setStatus(200);
                            response.write(true, ByteBuffer.wrap(SINGLE_FILE), callback);
                        } else {
                            int first = Integer.parseInt(m.group(1));
                            int last = Math.min(Integer.parseInt(m.group(2)), SINGLE_FILE.length - 1);
                            response.setStatus(206);
                            response.getHeaders().put("Content-Range", "bytes " + first + "-" + last + "/"
                                    + SINGLE_FILE.length);
                            response.write(true, ByteBuffer.wrap(SINGLE_FILE, first, last - first + 1), callback);
                        }
                    }
                    case "/live/broken.ts" -> {
                        response.setStatus(503);
                        response.write(true, null, callback);
                    }
                    default -> {
                        response.setStatus(404);
                        response.write(true, null, callback);
                    }
                }
                return true;
            }
        });
        origin.start();
        originUrl = "http://127.0.0.1:" + connector.getLocalPort();
        start(Map.of(ConfigKey.DEMO_ENABLED, "true", ConfigKey.SECURITY_MEDIA_ORIGINS, originUrl,
                ConfigKey.INTEGRITY_MAX_SEGMENT_MIB, "2"));
    }

    @AfterEach
    void stopOrigin() throws Exception {
        origin.stop();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static JsonNode ask(TestViewer v, String segment) throws Exception {
        v.send("{\"type\":\"hash\",\"segment\":\"" + segment + "\"}");
        return v.await(m -> "hash".equals(m.path("type").asText()) && segment.equals(m.path("segment").asText()),
                "hash of " + segment);
    }

    @Test
    void viewersOfOneSegmentGetTheOriginsHashFromOneFetch() throws Exception {
        String stream = originUrl + "/live/master.m3u8";
        TestViewer a = joined(stream, "127.0.1.10");
        TestViewer b = joined(stream, "127.0.1.11");
        JsonNode first = ask(a, originUrl + "/live/seg-1.ts?token=alice");
        JsonNode second = ask(b, originUrl + "/live/seg-1.ts?token=bob");
        assertEquals(sha256(SEGMENT), first.path("sha256").asText());
        assertEquals(SEGMENT.length, first.path("length").asLong());
        assertEquals(first.path("sha256"), second.path("sha256"));
        assertEquals(1, originHits.get("/live/seg-1.ts").get(), "one origin copy per segment");
        assertEquals(1, appliance.signaling().hashes().fetches());
    }

    private static JsonNode askRange(TestViewer v, String segment, String range) throws Exception {
        v.send("{\"type\":\"hash\",\"segment\":\"" + segment + "\",\"range\":\"" + range + "\"}");
        return v.await(m -> "hash".equals(m.path("type").asText()) && segment.equals(m.path("segment").asText())
                && range.equals(m.path("range").asText()), "hash of " + segment + " " + range);
    }

    @Test
    void queryParametersOtherThanPerViewerOnesAreDifferentSegments() throws Exception {
        TestViewer a = joined(originUrl + "/live/master.m3u8", "127.0.1.10");
        JsonNode low = ask(a, originUrl + "/live/chunk.m4s?rep=low&n=7&token=alice");
        JsonNode high = ask(a, originUrl + "/live/chunk.m4s?rep=high&n=7&token=alice");
        JsonNode lowAgain = ask(a, originUrl + "/live/chunk.m4s?rep=low&n=7&TOKEN=bob");
        assertEquals(sha256("chunk for rep=low&n=7".getBytes()), low.path("sha256").asText());
        assertEquals(sha256("chunk for rep=high&n=7".getBytes()), high.path("sha256").asText());
        assertEquals(low.path("sha256"), lowAgain.path("sha256"));
        assertEquals(2, originHits.get("/live/chunk.m4s").get(), "one fetch per rendition; tokens do not count");
    }

    @Test
    void aByteRangeIsItsOwnSegmentHashedFromExactlyThoseBytes() throws Exception {
        TestViewer a = joined(originUrl + "/vod/master.mpd", "127.0.1.10");
        String file = originUrl + "/vod/single.mp4";
        JsonNode init = askRange(a, file, "0-8");
        JsonNode one = askRange(a, file, "10-22");
        assertEquals(sha256("INIT-0123".getBytes()), init.path("sha256").asText());
        assertEquals(9, init.path("length").asLong());
        assertEquals(sha256("MEDIA-ONE-456".getBytes()), one.path("sha256").asText());
        assertEquals("origin_unavailable", askRange(a, file, "10-99").path("error").asText(),
                "a range the origin shortens is not the range asked for");
        assertEquals("origin_unavailable", askRange(a, originUrl + "/vod/no-ranges.mp4", "0-8").path("error").asText(),
                "an origin that ignores Range answers the whole file: not those bytes");
        a.send("{\"type\":\"hash\",\"segment\":\"" + file + "\",\"range\":\"9-3\"}");
        assertTrue(a.awaitError("invalid_field").path("message").asText().contains("range"));
        String demo = "http://127.0.0.1:" + appliance.httpUri().getPort() + "/demo/vod/seg-001.ts";
        byte[] served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(demo))
                .header("Range", "bytes=100-1099").build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        assertEquals(1000, served.length);
        assertEquals(sha256(served), askRange(a, demo, "100-1099").path("sha256").asText(), "in-process demo media too");
        assertTrue(a.isOpen());
    }

    @Test
    void theDemoStreamIsHashedInProcessFromTheBytesItServes() throws Exception {
        String base = "http://127.0.0.1:" + appliance.httpUri().getPort() + "/demo/vod/";
        TestViewer a = joined(base + "master.m3u8", "127.0.1.10");
        byte[] served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "seg-000.ts")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        assertEquals(sha256(served), ask(a, base + "seg-000.ts").path("sha256").asText());
        assertEquals("not_found", ask(a, base + "seg-999.ts").path("error").asText());
    }

    @Test
    void noHashIsEverMadeUpAndTheApplianceGoesNowhereAViewerPoints() throws Exception {
        TestViewer a = joined(originUrl + "/live/master.m3u8", "127.0.1.10");
        assertEquals("not_allowed", ask(a, "http://10.255.0.1/seg.ts").path("error").asText());
        assertEquals("not_allowed", ask(a, "http://127.0.0.1:" + appliance.httpUri().getPort() + "/api/v1/health")
                .path("error").asText(), "only the demo media of the appliance itself");
        assertEquals("not_found", ask(a, originUrl + "/live/missing.ts").path("error").asText());
        assertEquals("origin_unavailable", ask(a, originUrl + "/live/broken.ts").path("error").asText());
        assertEquals("origin_unavailable", ask(a, originUrl + "/live/moved.ts").path("error").asText(),
                "redirects are not followed");
        assertEquals("too_large", ask(a, originUrl + "/live/huge.ts").path("error").asText());
        a.send("{\"type\":\"hash\",\"segment\":\"https://user:pw@video.corp.example/a.ts\"}");
        assertTrue(a.awaitError("invalid_field").path("message").asText().contains("segment"));
        assertTrue(a.isOpen());
    }

    @Test
    void twoReportingAddressesBarAPeerWhichKeepsWatchingOverHttpAndComesBackBarred() throws Exception {
        String stream = originUrl + "/live/master.m3u8";
        TestViewer bad = viewer("127.0.1.10");
        JsonNode badWelcome = bad.joinStream(stream);
        String streamId = badWelcome.path("streamId").asText();
        String site = badWelcome.path("site").asText();
        TestViewer b = joined(stream, "127.0.1.11");
        TestViewer c = joined(stream, "127.0.1.12");
        TestViewer d = joined(stream, "127.0.1.13");
        awaitMeshIdle();
        assertTrue(bad.neighbours(Set.of()).containsAll(Set.of(b.peerId, c.peerId, d.peerId)));
        assertEquals(List.of(bad.peerId, b.peerId).stream().sorted().toList(),
                appliance.signaling().coordinator().leaders(streamId, site), "the two longest connected lead");

        b.send("{\"type\":\"failing\",\"peer\":\"" + bad.peerId + "\",\"reason\":\"integrity\",\"segment\":\""
                + originUrl + "/live/seg-1.ts\"}");
        awaitMeshIdle();
        assertFalse(appliance.signaling().coordinator().leaders(streamId, site).contains(bad.peerId),
                "one report: no longer a leader");
        assertTrue(appliance.signaling().ledger().offenders(streamId).isEmpty(), "one report alone bars nobody");

        c.send("{\"type\":\"failing\",\"peer\":\"" + bad.peerId + "\",\"reason\":\"integrity\"}");
        JsonNode gone = bad.await(m -> "neighbour-gone".equals(m.path("type").asText())
                && "barred".equals(m.path("reason").asText()), "neighbour-gone barred");
        assertEquals(d.peerId, gone.path("peer").asText(), "its remaining neighbour is taken away");
        d.await(m -> "neighbour-gone".equals(m.path("type").asText()) && bad.peerId.equals(m.path("peer").asText()),
                "the neighbour hears the barred peer is gone");
        assertEquals("off", bad.await("policy").path("policy").path("p2p").asText());
        assertEquals(bad.peerId, appliance.signaling().ledger().offenders(streamId).get(0).peerId());
        assertTrue(appliance.signaling().coordinator().neighbours(bad.peerId).isEmpty());
        assertEquals("not_allowed", ask(bad, originUrl + "/live/seg-1.ts").path("error").asText());
        assertTrue(bad.isOpen(), "it keeps watching");

        // A new session from the same address joins barred.
        bad.abort();
        TestViewer again = viewer("127.0.1.10");
        JsonNode welcome = again.joinStream(stream);
        assertEquals("off", welcome.path("policy").path("p2p").asText());
        awaitMeshIdle();
        assertTrue(appliance.signaling().coordinator().neighbours(again.peerId).isEmpty());
    }
}
