package io.swarmgate.demo;

import io.swarmgate.SettableClock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.config.ApplianceConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo handler on a real Jetty server on port 0, driven with a clock the test moves. */
class DemoHandlerIT {

    private static final long T0 = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();
    private static final DemoMedia MEDIA = DemoMedia.fromClasspath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final SettableClock CLOCK = new SettableClock(T0);
    private static Server server;
    private static URI base;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

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

    private HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static void assertError(HttpResponse<byte[]> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), () -> text(response));
        assertEquals("application/json", header(response, "Content-Type"));
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertEquals(code, error.get("code").asText());
        assertTrue(error.get("message").asText().length() > 10, "a message a person can act on");
    }

    @Test
    void everySegmentListedInTheLivePlaylistIsServedWithTheFixtureBytes() throws Exception {
        for (long offset : new long[] {0, 2000 * 7 + 300, 2000 * 23 + 1999}) {
            CLOCK.set(T0 + offset);
            HttpResponse<byte[]> response = get("/demo/live/media.m3u8");
            assertEquals(200, response.statusCode());
            assertEquals("application/vnd.apple.mpegurl", header(response, "Content-Type"));
            assertEquals("no-cache", header(response, "Cache-Control"));
            assertEquals("*", header(response, "Access-Control-Allow-Origin"));
            PlaylistLines playlist = PlaylistLines.parse(text(response));
            assertEquals(6, playlist.entries().size());
            for (int i = 0; i < 6; i++) {
                long seq = playlist.sequence(i);
                HttpResponse<byte[]> segment = get("/demo/live/" + playlist.entries().get(i).uri());
                assertEquals(200, segment.statusCode());
                assertArrayEquals(MEDIA.segment((int) (seq % 10)), segment.body(), "segment " + seq);
                assertEquals("video/mp2t", header(segment, "Content-Type"));
                assertEquals("public, max-age=60", header(segment, "Cache-Control"));
                assertEquals("*", header(segment, "Access-Control-Allow-Origin"));
                assertEquals(String.valueOf(segment.body().length), header(segment, "Content-Length"));
            }
        }
    }

    @Test
    void liveSequenceFollowsTheClock() throws Exception {
        CLOCK.set(T0);
        long first = PlaylistLines.parse(text(get("/demo/live/media.m3u8"))).mediaSequence();
        CLOCK.advance(2000 * 5);
        assertEquals(first + 5, PlaylistLines.parse(text(get("/demo/live/media.m3u8"))).mediaSequence());
    }

    @Test
    void futureAndExpiredSegmentsAreNotAvailable() throws Exception {
        CLOCK.set(T0 + 2000 * 40);
        long newest = T0 / 2000 + 40;
        assertEquals(200, get("/demo/live/seg-" + newest + ".ts").statusCode());
        assertError(get("/demo/live/seg-" + (newest + 1) + ".ts"), 404, "segment_not_available");
        assertEquals(200, get("/demo/live/seg-" + (newest - 17) + ".ts").statusCode());
        assertError(get("/demo/live/seg-" + (newest - 18) + ".ts"), 404, "segment_not_available");
        assertError(get("/demo/live/seg-0.ts"), 404, "segment_not_available");
    }

    @Test
    void malformedSegmentNamesAreRejectedWithAClearError() throws Exception {
        assertError(get("/demo/live/seg-abc.ts"), 400, "bad_segment_name");
        assertError(get("/demo/live/seg--1.ts"), 400, "bad_segment_name");
        assertError(get("/demo/live/seg-.ts"), 400, "bad_segment_name");
        assertError(get("/demo/live/seg-1.5.ts"), 400, "bad_segment_name");
        assertError(get("/demo/live/seg-" + "9".repeat(40) + ".ts"), 404, "segment_not_available");
        assertError(get("/demo/live/seg-9223372036854775807.ts"), 404, "segment_not_available");
        assertError(get("/demo/live/seg-0" + T0 / 2000 + ".ts"), 404, "segment_not_available");
        assertError(get("/demo/vod/seg-" + MEDIA.vodSegmentCount() + ".ts"), 404, "segment_not_available");
        assertError(get("/demo/vod/seg-1000.ts"), 404, "segment_not_available");
        assertError(get("/demo/vod/seg-1.ts"), 404, "segment_not_available");
        assertError(get("/demo/live/"), 404, "not_found");
        assertError(get("/demo/nothing-here"), 404, "not_found");
        assertError(get("/demo/vod/seg-001.ts/x"), 404, "segment_not_available");
        assertError(get("/demo/vod/other.ts"), 404, "not_found");
    }

    @Test
    void vodServesTheFiveMinuteRecordingOfTheLoopedFixture() throws Exception {
        HttpResponse<byte[]> master = get("/demo/vod/master.m3u8");
        assertEquals(200, master.statusCode());
        assertEquals(MEDIA.masterPlaylist(), text(master));
        HttpResponse<byte[]> media = get("/demo/vod/media.m3u8");
        assertEquals(200, media.statusCode());
        String playlist = text(media);
        assertTrue(playlist.startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"), playlist);
        assertTrue(playlist.contains("#EXT-X-PLAYLIST-TYPE:VOD\n"));
        assertTrue(playlist.endsWith("seg-149.ts\n#EXT-X-ENDLIST\n"));
        assertEquals(150, MEDIA.vodSegmentCount());
        assertEquals(150, playlist.split("#EXTINF:2.000000,\n", -1).length - 1, "five minutes of 2 s segments");
        assertEquals(14, playlist.split("#EXT-X-DISCONTINUITY\n", -1).length - 1, "one where each loop restarts");
        assertTrue(playlist.contains("seg-009.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2.000000,\nseg-010.ts\n"), playlist);
        for (int i : new int[] {0, 1, 9, 10, 19, 20, 149}) {
            HttpResponse<byte[]> segment = get("/demo/vod/" + DemoMedia.vodSegmentName(i));
            assertEquals(200, segment.statusCode());
            assertArrayEquals(MEDIA.segment(i % MEDIA.segmentCount()), segment.body(), "segment " + i);
        }
    }

    @Test
    void masterPlaylistNamesTheOneVariant() throws Exception {
        HttpResponse<byte[]> master = get("/demo/live/master.m3u8");
        assertEquals(200, master.statusCode());
        assertEquals("no-cache", header(master, "Cache-Control"));
        assertTrue(text(master).contains("RESOLUTION=320x180,CODECS=\"avc1.4d401e,mp4a.40.2\"\nmedia.m3u8\n"));
    }

    @Test
    void theTwoRenditionStreamListsBothAndServesTheLowerOnesSegmentsOnTheSameClock() throws Exception {
        String master = text(get("/demo/live/abr.m3u8"));
        assertTrue(master.contains("RESOLUTION=320x180,CODECS=\"avc1.4d401e,mp4a.40.2\"\nmedia.m3u8\n"), master);
        assertTrue(master.contains("RESOLUTION=192x108,CODECS=\"avc1.4d401e,mp4a.40.2\"\nlow/media.m3u8\n"), master);
        assertTrue(MEDIA.lowPeakBandwidth() < MEDIA.peakBandwidth(), "the lower rendition is the lighter");
        CLOCK.set(T0 + 2000 * 13 + 500);
        PlaylistLines high = PlaylistLines.parse(text(get("/demo/live/media.m3u8")));
        PlaylistLines low = PlaylistLines.parse(text(get("/demo/live/low/media.m3u8")));
        assertEquals(high.entries().size(), low.entries().size());
        for (int i = 0; i < low.entries().size(); i++) {
            long seq = low.sequence(i);
            assertEquals(high.sequence(i), seq, "the renditions list the same sequences");
            HttpResponse<byte[]> segment = get("/demo/live/low/" + low.entries().get(i).uri());
            assertEquals(200, segment.statusCode());
            assertArrayEquals(MEDIA.lowSegment((int) (seq % 10)), segment.body(), "low segment " + seq);
            assertEquals("video/mp2t", header(segment, "Content-Type"));
        }
        assertError(get("/demo/live/low/seg-007.ts"), 404, "segment_not_available");
        assertError(get("/demo/live/low/seg-x.ts"), 400, "bad_segment_name");
    }

    @Test
    void headSendsHeadersWithoutBody() throws Exception {
        CLOCK.set(T0);
        HttpResponse<byte[]> head = send("HEAD", "/demo/live/seg-" + T0 / 2000 + ".ts");
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(MEDIA.segment(0).length), header(head, "Content-Length"));
        assertEquals(0, head.body().length);
        assertEquals(200, send("HEAD", "/demo/live/media.m3u8").statusCode());
    }

    @Test
    void singleRangeRequestsGetPartialContent() throws Exception {
        byte[] whole = MEDIA.segment(1);
        HttpResponse<byte[]> part = get("/demo/vod/seg-001.ts", "Range", "bytes=188-375");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 188-375/" + whole.length, header(part, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(whole, 188, 376), part.body());
        HttpResponse<byte[]> tail = get("/demo/vod/seg-001.ts", "Range", "bytes=-100");
        assertArrayEquals(Arrays.copyOfRange(whole, whole.length - 100, whole.length), tail.body());
        assertEquals(416, get("/demo/vod/seg-001.ts", "Range", "bytes=99999999-").statusCode());
        assertEquals(200, get("/demo/vod/seg-001.ts", "Range", "bytes=0-1,5-9").statusCode());
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE"}) {
            HttpResponse<byte[]> response = send(method, "/demo/live/media.m3u8");
            assertError(response, 405, "method_not_allowed");
            assertEquals("GET, HEAD", header(response, "Allow"));
        }
    }

    @Test
    void pageIsServedAtTheFolderAndTheBarePathRedirects() throws Exception {
        HttpResponse<byte[]> redirect = get("/demo?stream=vod");
        assertEquals(302, redirect.statusCode());
        assertEquals("/demo/?stream=vod", URI.create(header(redirect, "Location")).getRawPath() + "?"
                + URI.create(header(redirect, "Location")).getRawQuery());
        HttpResponse<byte[]> page = get("/demo/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html;charset=utf-8", header(page, "Content-Type").replace(" ", "").toLowerCase());
        assertTrue(text(page).contains("fixture page"));
        HttpResponse<byte[]> script = get("/demo/demo.js");
        assertTrue(header(script, "Content-Type").startsWith("text/javascript"));
        assertError(get("/demo/demo.css"), 404, "not_found");
        assertError(get("/demo/DemoHandler.class"), 404, "not_found");
    }

    @Test
    void pathsOutsideDemoAreLeftToOtherHandlers() throws Exception {
        HttpResponse<byte[]> response = get("/demonstration");
        assertEquals(404, response.statusCode());
        assertTrue(header(response, "Content-Type") == null || !header(response, "Content-Type").equals("application/json"));
    }
}
