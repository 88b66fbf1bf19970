package io.swarmgate.demo;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The built-in live test stream: the fixture's segments looped forever behind a sliding window.
 *
 * <p>Everything follows from the wall clock: the newest published segment has media sequence
 * {@code floor(millis / 2000)}, so the stream is identical for every viewer and every appliance
 * restart, and segment {@code seq} always holds fixture segment {@code seq mod 10}. Each time the
 * fixture wraps back to its first segment the timestamps restart, which is what
 * {@code EXT-X-DISCONTINUITY} tells the player. Stateless and thread-safe.
 */
public final class DemoStream {

    /** Duration of one segment; the media sequence advances by one per this many milliseconds. */
    public static final long SEGMENT_MILLIS = DemoMedia.SEGMENT_SECONDS * 1000L;
    /**
     * Segments stay fetchable for this many windows after they were published, so a player that
     * read a playlist a little late (slow reload, long download) still gets every segment in it.
     */
    public static final int RETAINED_WINDOWS = 3;

    private static final DateTimeFormatter PROGRAM_DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private final DemoMedia media;
    private final int windowSegments;
    private final Clock clock;
    private final long originSequence;

    /**
     * @param windowSegments segments listed in the live playlist (validated by the configuration)
     * @param clock          the wall clock; tests pass a fixed or offset clock
     */
    public DemoStream(DemoMedia media, int windowSegments, Clock clock) {
        if (windowSegments < 1) {
            throw new IllegalArgumentException("windowSegments must be positive: " + windowSegments);
        }
        this.media = media;
        this.windowSegments = windowSegments;
        this.clock = clock;
        // Discontinuities are counted from the wrap that started the current loop (see
        // discontinuitySequence); sequence 0 is the stream's start, not a wrap.
        long first = window().first();
        long loopStart = first - fixtureIndex(first);
        this.originSequence = loopStart == 0 ? 0 : loopStart - media.segmentCount();
    }

    /** The live stream at one instant: which sequences are listed and which are still served. */
    public record Window(long first, long newest, long oldestRetained) {

        /** Whether segment {@code seq} is published and not yet expired. */
        public boolean isAvailable(long seq) {
            return seq >= oldestRetained && seq <= newest;
        }
    }

    /** The window at the clock's current instant. */
    public Window window() {
        // The clock never goes before 1970 on a real appliance; clamping keeps sequences non-negative.
        long newest = Math.max(0, Math.floorDiv(clock.millis(), SEGMENT_MILLIS));
        long first = Math.max(0, newest - windowSegments + 1);
        long oldestRetained = Math.max(0, newest - (long) RETAINED_WINDOWS * windowSegments + 1);
        return new Window(first, newest, oldestRetained);
    }

    /** Index into the fixture of live segment {@code seq}. */
    public int fixtureIndex(long seq) {
        return (int) Math.floorMod(seq, (long) media.segmentCount());
    }

    /** Whether a discontinuity precedes segment {@code seq}: the fixture restarts there. */
    public boolean startsDiscontinuity(long seq) {
        return seq > 0 && fixtureIndex(seq) == 0;
    }

    /** Live segment URI, unique per sequence so caches and peers never confuse two loops. */
    public static String segmentName(long seq) {
        return "seg-" + seq + ".ts";
    }

    /** The live media playlist at the clock's current instant. */
    public String mediaPlaylist() {
        Window window = window();
        StringBuilder out = new StringBuilder(96 + 40 * windowSegments);
        out.append("#EXTM3U\n")
                .append("#EXT-X-VERSION:3\n")
                .append("#EXT-X-TARGETDURATION:").append(DemoMedia.SEGMENT_SECONDS).append('\n')
                .append("#EXT-X-MEDIA-SEQUENCE:").append(window.first()).append('\n')
                .append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence(window.first())).append('\n');
        for (long seq = window.first(); seq <= window.newest(); seq++) {
            if (startsDiscontinuity(seq)) {
                out.append("#EXT-X-DISCONTINUITY\n");
            }
            if (seq == window.first()) {
                out.append("#EXT-X-PROGRAM-DATE-TIME:")
                        .append(PROGRAM_DATE_TIME.format(Instant.ofEpochMilli(seq * SEGMENT_MILLIS)))
                        .append('\n');
            }
            out.append("#EXTINF:").append(DemoMedia.SEGMENT_SECONDS).append(".000,\n")
                    .append(segmentName(seq)).append('\n');
        }
        return out.toString();
    }

    /**
     * RFC 8216 counts the discontinuity tags already removed from the playlist's head. A wrap at
     * the first listed segment keeps its tag, so only wraps strictly before {@code first} count:
     * the value steps up exactly when such a segment slides out.
     *
     * <p>Counted from the loop that was playing when this stream was created, not from 1970:
     * hls.js keeps its timestamp offsets in an array indexed by discontinuity number, and a
     * wall-clock count (about 90 million) makes it spend seconds per fragment walking that sparse
     * array. A player that lives through an appliance restart sees the count start again; hls.js
     * absorbs that by matching fragments on media sequence numbers, which never change.
     */
    long discontinuitySequence(long first) {
        long wrapsBefore = Math.floorDiv(first - 1 - originSequence, (long) media.segmentCount());
        return Math.max(0, wrapsBefore);
    }

    /** The bytes of live segment {@code seq}, if it is published and not yet expired. */
    public Optional<byte[]> segment(long seq) {
        if (!window().isAvailable(seq)) {
            return Optional.empty();
        }
        return Optional.of(media.segment(fixtureIndex(seq)));
    }

    public int windowSegments() {
        return windowSegments;
    }
}
