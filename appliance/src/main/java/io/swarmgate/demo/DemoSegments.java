package io.swarmgate.demo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which bytes a demo media path names — HLS segments, DASH init and media segments, the DASH
 * single file — or why there are none. The handler serves what this finds; the integrity anchor
 * hashes exactly the same bytes in-process. Stateless apart from the live stream's clock.
 */
final class DemoSegments {

    static final String TS_TYPE = "video/mp2t";
    static final String MP4_TYPE = "video/mp4";

    private static final Pattern LIVE_SEGMENT = Pattern.compile("/demo/live/seg-([0-9]+)\\.ts");
    private static final Pattern LIVE_LOW_SEGMENT = Pattern.compile("/demo/live/low/seg-([0-9]+)\\.ts");
    private static final Pattern LIVE_CHUNK = Pattern.compile("/demo/live/chunk-([0-9]+)\\.m4s");
    /** Canonical numbers only (no leading zeros), so every segment has exactly one URI. */
    private static final Pattern LIVE_SEQUENCE = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern VOD_SEGMENT = Pattern.compile("/demo/vod/seg-([0-9]{3})\\.ts");
    private static final Pattern VOD_CHUNK = Pattern.compile("/demo/vod/chunk-(0|[1-9][0-9]{0,9})\\.m4s");

    /** What a path names. */
    sealed interface Lookup permits Found, Missing {
    }

    /** The bytes to serve; callers must not modify the array. */
    record Found(byte[] bytes, String contentType) implements Lookup {
    }

    /** No bytes: the status, error code and message to answer with. */
    record Missing(int status, String code, String message) implements Lookup {
    }

    private final DemoMedia media;
    private final DemoStream live;

    DemoSegments(DemoMedia media, DemoStream live) {
        this.media = media;
        this.live = live;
    }

    /** The media at {@code path}, or null when the path is not a media path (a page file, a manifest). */
    Lookup find(String path) {
        switch (path) {
            case "/demo/live/init.mp4", "/demo/vod/init.mp4" -> {
                return new Found(media.dashInit(), MP4_TYPE);
            }
            case "/demo/vod/video.mp4" -> {
                return new Found(media.dashFile(), MP4_TYPE);
            }
            default -> {
                // below
            }
        }
        if (path.startsWith("/demo/live/seg-")) {
            return live(LIVE_SEGMENT.matcher(path), "seg-<sequence>.ts", Rendition.TS);
        }
        if (path.startsWith("/demo/live/low/seg-")) {
            return live(LIVE_LOW_SEGMENT.matcher(path), "low/seg-<sequence>.ts", Rendition.LOW_TS);
        }
        if (path.startsWith("/demo/live/chunk-")) {
            return live(LIVE_CHUNK.matcher(path), "chunk-<number>.m4s", Rendition.DASH);
        }
        if (path.startsWith("/demo/vod/seg-")) {
            Matcher name = VOD_SEGMENT.matcher(path);
            int index = name.matches() ? Integer.parseInt(name.group(1)) : -1;
            if (index < 0 || index >= media.vodSegmentCount()) {
                return new Missing(404, "segment_not_available",
                        "VOD segments are seg-000.ts to " + DemoMedia.vodSegmentName(media.vodSegmentCount() - 1));
            }
            return new Found(media.vodSegment(index), TS_TYPE);
        }
        if (path.startsWith("/demo/vod/chunk-")) {
            Matcher name = VOD_CHUNK.matcher(path);
            long time = name.matches() ? Long.parseLong(name.group(1)) : -1;
            if (time < 0 || time % DemoMedia.DASH_SEGMENT_TICKS != 0
                    || time / DemoMedia.DASH_SEGMENT_TICKS >= media.vodSegmentCount()) {
                return new Missing(404, "segment_not_available", "VOD DASH segments are chunk-<time>.m4s with time 0, "
                        + DemoMedia.DASH_SEGMENT_TICKS + ", ... " + (long) DemoMedia.DASH_SEGMENT_TICKS
                        * (media.vodSegmentCount() - 1) + " (timescale " + DemoMedia.DASH_TIMESCALE + ")");
            }
            return new Found(media.dashTimelineSegment((int) (time / DemoMedia.DASH_SEGMENT_TICKS)), MP4_TYPE);
        }
        return null;
    }

    /** The live stream's renditions: HLS (the fixture's, and the lower one) and DASH. */
    private enum Rendition { TS, LOW_TS, DASH }

    private Lookup live(Matcher name, String form, Rendition rendition) {
        if (!name.matches()) {
            return new Missing(400, "bad_segment_name",
                    "live segments are named " + form + " with a non-negative decimal number");
        }
        String digits = name.group(1);
        if (!LIVE_SEQUENCE.matcher(digits).matches()) {
            // More than 18 digits is beyond any sequence the clock will reach.
            return new Missing(404, "segment_not_available",
                    "segment " + abbreviate(digits) + " is not part of the live stream");
        }
        long seq = Long.parseLong(digits);
        DemoStream.Window window = live.window();
        if (!window.isAvailable(seq)) {
            String when = seq > window.newest() ? "not published yet" : "expired";
            return new Missing(404, "segment_not_available", "segment " + seq + " is " + when + "; available now: "
                    + window.oldestRetained() + " to " + window.newest());
        }
        int index = live.fixtureIndex(seq);
        return switch (rendition) {
            case TS -> new Found(media.segment(index), TS_TYPE);
            case LOW_TS -> new Found(media.lowSegment(index), TS_TYPE);
            case DASH -> new Found(media.dashTimelineSegment(seq), MP4_TYPE);
        };
    }

    /** Keeps error messages short when a client sends an absurd path. */
    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
