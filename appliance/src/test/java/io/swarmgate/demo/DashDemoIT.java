package io.swarmgate.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import io.swarmgate.config.ApplianceConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javax.xml.parsers.DocumentBuilderFactory;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The demo streams as DASH on a real Jetty server: every manifest parses as XML, and every segment
 * it addresses — by number (live), by time (VOD) or by byte range (VOD, one file) — is served with
 * the fixture's fragmented-MP4 bytes.
 */
class DashDemoIT {

    private static final long T0 = Instant.parse("2026-11-22T00:00:07Z").toEpochMilli();
    private static final DemoMedia MEDIA = DemoMedia.fromClasspath();
    private static final SettableClock CLOCK = new SettableClock(T0);
    private static Server server;
    private static URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new Server(0);
        server.setHandler(new DemoHandler(new ApplianceConfig.Demo(true, 6), CLOCK, "web-fixture"));
        server.start();
        base = server.getURI();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private Document mpd(String path) throws Exception {
        HttpResponse<byte[]> response = get(path);
        assertEquals(200, response.statusCode());
        assertEquals("application/dash+xml", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElseThrow(), "manifests are never cached");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
    }

    private static int fixtureIndexAt(long seq) {
        return (int) Math.floorMod(seq, (long) MEDIA.segmentCount());
    }

    /** The 64-bit decode time in a fragment's tfdt box. */
    private static long decodeTime(byte[] fragment) {
        for (int i = 4; i + 16 <= fragment.length; i++) {
            if (fragment[i] == 't' && fragment[i + 1] == 'f' && fragment[i + 2] == 'd' && fragment[i + 3] == 't') {
                return java.nio.ByteBuffer.wrap(fragment, i + 8, 8).getLong();
            }
        }
        throw new AssertionError("no tfdt");
    }

    @Test
    void liveManifestNumbersSegmentsLikeTheHlsSequenceOnOneUnbrokenTimeline() throws Exception {
        Document doc = mpd("/demo/live/manifest.mpd");
        Element root = doc.getDocumentElement();
        assertEquals("dynamic", root.getAttribute("type"));
        assertEquals("urn:mpeg:dash:utc:direct:2014", ((Element) root.getElementsByTagName("UTCTiming").item(0))
                .getAttribute("schemeIdUri"), "the clock comes with the manifest, no time server is asked");
        assertEquals(1, root.getElementsByTagName("Period").getLength());
        Element template = (Element) root.getElementsByTagName("SegmentTemplate").item(0);
        assertEquals("0", template.getAttribute("startNumber"), "number n starts at 2n s after the epoch");
        assertEquals("chunk-$Number$.m4s", template.getAttribute("media"));
        long newest = T0 / 2000;
        for (long seq = newest - 5; seq <= newest; seq++) {
            HttpResponse<byte[]> chunk = get("/demo/live/chunk-" + seq + ".m4s");
            assertEquals(200, chunk.statusCode());
            assertEquals("video/mp4", chunk.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(seq * DemoMedia.DASH_SEGMENT_TICKS, decodeTime(chunk.body()), "decode time follows the number");
            byte[] fixture = MEDIA.dashSegment(fixtureIndexAt(seq));
            assertEquals(fixture.length, chunk.body().length);
            assertArrayEquals(Arrays.copyOfRange(fixture, 200, fixture.length),
                    Arrays.copyOfRange(chunk.body(), 200, fixture.length), "the media data is the fixture's");
        }
        assertArrayEquals(MEDIA.dashInit(), get("/demo/live/init.mp4").body());
        assertEquals(404, get("/demo/live/chunk-" + (newest + 1) + ".m4s").statusCode(), "not published yet");
        assertEquals(400, get("/demo/live/chunk-x.m4s").statusCode());
    }

    @Test
    void vodByTimeAddressesEverySegmentByItsStartTime() throws Exception {
        Element template = (Element) mpd("/demo/vod/manifest.mpd").getElementsByTagName("SegmentTemplate").item(0);
        assertEquals("chunk-$Time$.m4s", template.getAttribute("media"));
        Element mpd = (Element) mpd("/demo/vod/manifest.mpd").getElementsByTagName("MPD").item(0);
        assertEquals("PT300S", mpd.getAttribute("mediaPresentationDuration"), "the five-minute recording");
        Element s = (Element) template.getElementsByTagName("S").item(0);
        assertEquals(String.valueOf(MEDIA.vodSegmentCount() - 1), s.getAttribute("r"));
        for (int i : new int[] {0, 1, 9, 10, 11, 149}) {
            byte[] body = get("/demo/vod/chunk-" + (long) i * DemoMedia.DASH_SEGMENT_TICKS + ".m4s").body();
            assertArrayEquals(MEDIA.dashTimelineSegment(i), body, "segment " + i);
            assertEquals((long) i * DemoMedia.DASH_SEGMENT_TICKS, decodeTime(body), "segment " + i + " on the one timeline");
        }
        assertEquals(404, get("/demo/vod/chunk-1.m4s").statusCode(), "not a segment start");
        assertEquals(404, get("/demo/vod/chunk-" + 150L * DemoMedia.DASH_SEGMENT_TICKS + ".m4s").statusCode());
    }

    @Test
    void vodByRangeServesExactlyTheBytesEachRangeNames() throws Exception {
        Document doc = mpd("/demo/vod/ranges.mpd");
        Element init = (Element) doc.getElementsByTagName("Initialization").item(0);
        assertArrayEquals(MEDIA.dashInit(), range(init.getAttribute("range")));
        NodeList urls = doc.getElementsByTagName("SegmentURL");
        assertEquals(MEDIA.segmentCount(), urls.getLength());
        for (int i = 0; i < urls.getLength(); i++) {
            assertArrayEquals(MEDIA.dashSegment(i), range(((Element) urls.item(i)).getAttribute("mediaRange")));
        }
    }

    private byte[] range(String range) throws Exception {
        HttpResponse<byte[]> part = get("/demo/vod/video.mp4", "Range", "bytes=" + range);
        assertEquals(206, part.statusCode(), range);
        long first = Long.parseLong(range.split("-")[0]);
        byte[] whole = MEDIA.dashFile();
        assertArrayEquals(Arrays.copyOfRange(whole, (int) first, (int) first + part.body().length), part.body());
        return part.body();
    }
}
