package io.swarmgate.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.config.ApplianceConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves everything under {@code /demo/}: the intranet demo page (built by {@code sdk/} into
 * {@code web/demo/} of the jar), the live test stream at {@code /demo/live/} and the VOD test stream
 * at {@code /demo/vod/}, each as HLS ({@code master.m3u8}; the live stream also with two renditions,
 * {@code abr.m3u8}) and as DASH ({@code manifest.mpd};
 * VOD also {@code ranges.mpd}, byte-range addressing; {@link DashManifests}). It routes on the request URI's full path, so it works whether it is
 * mounted with {@code PathMappingsHandler} ({@code /demo/*}) or as the only handler; requests
 * outside {@code /demo} are left to the next handler.
 *
 * <p>Playlists and segments carry {@code Access-Control-Allow-Origin: *}: they are public test
 * content that intranet pages on other origins may play.
 */
public final class DemoHandler extends Handler.Abstract.NonBlocking {

    private static final Logger LOG = LoggerFactory.getLogger(DemoHandler.class);

    /** Path prefix the handler answers. */
    public static final String PATH = "/demo";

    private static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
    private static final String PLAYLIST_CACHE = "no-cache";
    private static final String SEGMENT_CACHE = "public, max-age=60";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DemoStream live;
    private final DemoMedia media;
    private final DemoSegments segments;
    private final DashManifests dash;
    private final Clock clock;
    private final DemoPage page;

    /**
     * Loads the stream fixture from the classpath at once (it is small); page files are read from
     * {@code webRoot/demo/} on first request.
     *
     * @param settings the demo section of the configuration (live window size)
     * @param clock    the wall clock the live stream follows; tests pass a clock they move
     * @param webRoot  the classpath folder of the web files: {@code web} in the jar
     */
    public DemoHandler(ApplianceConfig.Demo settings, Clock clock, String webRoot) {
        this.media = DemoMedia.fromClasspath();
        this.live = new DemoStream(media, settings.liveWindowSegments(), clock);
        this.segments = new DemoSegments(media, live);
        this.dash = new DashManifests(media);
        this.clock = clock;
        this.page = new DemoPage(webRoot);
    }

    /**
     * The bytes this handler would serve for a segment at {@code path} now, or empty when there is
     * none (unknown name, live segment outside the window): the integrity anchor reads the demo
     * stream's segments here, in-process, instead of over the network.
     */
    public Optional<byte[]> segmentBytes(String path) {
        return segments.find(path) instanceof DemoSegments.Found found ? Optional.of(found.bytes()) : Optional.empty();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getCanonicalPath();
        if (path == null || !(path.equals(PATH) || path.startsWith(PATH + "/"))) {
            return false;
        }
        try {
            route(path, request, response, callback);
        } catch (RuntimeException e) {
            LOG.warn("{} - demo request failed", path, e);
            error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal_error", "the demo request failed");
        }
        return true;
    }

    private void route(String path, Request request, Response response, Callback callback) {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method_not_allowed",
                    method + " is not allowed here; use GET or HEAD");
            return;
        }
        if (path.equals(PATH)) {
            String query = request.getHttpURI().getQuery();
            Response.sendRedirect(request, response, callback, HttpStatus.FOUND_302,
                    PATH + "/" + (query == null ? "" : "?" + query), true);
            return;
        }
        switch (path) {
            case "/demo/live/master.m3u8", "/demo/vod/master.m3u8" -> playlist(response, callback, media.masterPlaylist());
            case "/demo/live/abr.m3u8" -> playlist(response, callback, media.abrMasterPlaylist());
            // Segment names are relative, so one media playlist serves both renditions.
            case "/demo/live/media.m3u8", "/demo/live/low/media.m3u8" -> playlist(response, callback, live.mediaPlaylist());
            case "/demo/vod/media.m3u8" -> playlist(response, callback, media.vodPlaylist());
            case "/demo/live/manifest.mpd" -> manifest(response, callback, dash.live(live, clock.instant()));
            case "/demo/vod/manifest.mpd" -> manifest(response, callback, dash.vodByTime());
            case "/demo/vod/ranges.mpd" -> manifest(response, callback, dash.vodByRange());
            default -> {
                DemoSegments.Lookup found = segments.find(path);
                if (found instanceof DemoSegments.Found f) {
                    segment(request, response, callback, f.bytes(), f.contentType());
                } else if (found instanceof DemoSegments.Missing m) {
                    error(response, callback, m.status(), m.code(), m.message());
                } else {
                    pageFile(path, response, callback);
                }
            }
        }
    }

    private void pageFile(String path, Response response, Callback callback) {
        String name = path.equals(PATH + "/") ? "index.html" : path.substring(PATH.length() + 1);
        DemoPage.File file = page.find(name);
        if (file == null) {
            error(response, callback, HttpStatus.NOT_FOUND_404, "not_found", "nothing at " + DemoSegments.abbreviate(path));
            return;
        }
        // no-cache, not no-store: the page changes with upgrades, and revalidation is cheap.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        body(response, callback, HttpStatus.OK_200, file.contentType(), file.bytes());
    }

    private static void playlist(Response response, Callback callback, String text) {
        manifest(response, callback, PLAYLIST_TYPE, text);
    }

    private static void manifest(Response response, Callback callback, String mpd) {
        manifest(response, callback, DashManifests.CONTENT_TYPE, mpd);
    }

    private static void manifest(Response response, Callback callback, String type, String text) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, PLAYLIST_CACHE);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        body(response, callback, HttpStatus.OK_200, type, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void segment(Request request, Response response, Callback callback, byte[] bytes, String type) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, SEGMENT_CACHE);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        ByteRange range = ByteRange.parse(request.getHeaders().get(HttpHeader.RANGE), bytes.length);
        if (range == ByteRange.UNSATISFIABLE) {
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + bytes.length);
            error(response, callback, HttpStatus.RANGE_NOT_SATISFIABLE_416, "range_not_satisfiable",
                    "the segment has " + bytes.length + " bytes");
            return;
        }
        if (range == null) {
            body(response, callback, HttpStatus.OK_200, type, ByteBuffer.wrap(bytes));
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_RANGE, range.contentRange(bytes.length));
        body(response, callback, HttpStatus.PARTIAL_CONTENT_206, type,
                ByteBuffer.wrap(bytes, (int) range.first(), (int) range.length()));
    }

    private static void error(Response response, Callback callback, int status, String code, String message) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(Map.of("error", Map.of("code", code, "message", message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an error message", e);
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        body(response, callback, status, "application/json", json);
    }

    private static void body(Response response, Callback callback, int status, String contentType, byte[] bytes) {
        body(response, callback, status, contentType, ByteBuffer.wrap(bytes));
    }

    /** Writes the whole response; for HEAD Jetty sends the headers (with Content-Length) only. */
    private static void body(Response response, Callback callback, int status, String contentType, ByteBuffer content) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, content.remaining());
        // The buffers wrap shared, read-only-by-contract arrays; Jetty only reads from them.
        response.write(true, content.asReadOnlyBuffer(), callback);
    }
}
