package io.swarmgate.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo stream's media, read once from the classpath ({@code demo/media/}, made by
 * {@code scripts/make-demo-fixture}) and kept in memory: ten 2-second MPEG-TS segments and their
 * VOD playlist, and the same video remuxed to fragmented MP4 for DASH (an init segment and ten
 * media segments, video only). The live stream loops these segments; so does the VOD recording,
 * {@link #VOD_LOOPS} times (five minutes, like a recorded talk rather than a 20-second clip that
 * every player holds whole within seconds of joining). The byte-range DASH file holds one loop.
 */
public final class DemoMedia {

    private static final Logger LOG = LoggerFactory.getLogger(DemoMedia.class);

    /** Classpath folder of the fixture. */
    public static final String RESOURCE_DIR = "demo/media/";
    /** Every fixture segment lasts exactly this long (ffmpeg {@code -hls_time 2} with a 2 s GOP). */
    public static final int SEGMENT_SECONDS = 2;
    /** The one rendition of the fixture, as advertised in master playlists. */
    public static final String RESOLUTION = "320x180";
    /** The lower rendition's frame size. */
    public static final String LOW_RESOLUTION = "192x108";
    /** H.264 Main profile level 3.0 and AAC-LC, as the fixture script encodes them. */
    public static final String CODECS = "avc1.4d401e,mp4a.40.2";

    /** H.264 Main profile level 3.0, the DASH rendition's one track. */
    public static final String DASH_CODECS = "avc1.4d401e";
    /** The DASH segments' media timescale (ffmpeg's for 25 fps) and one segment's length in it. */
    public static final int DASH_TIMESCALE = 12800;
    public static final int DASH_SEGMENT_TICKS = DASH_TIMESCALE * SEGMENT_SECONDS;

    private static final int SEGMENT_COUNT = 10;
    /** How many times the VOD recording plays the fixture: 15 × 20 s = five minutes. */
    public static final int VOD_LOOPS = 15;

    private final List<byte[]> segments;
    /** The lower rendition's segments ({@code low/}), on the same boundaries and timestamps. */
    private final List<byte[]> lowSegments;
    private final String vodPlaylist;
    private final byte[] dashInit;
    private final List<byte[]> dashSegments;
    private final byte[] dashFile;

    private DemoMedia(List<byte[]> segments, List<byte[]> lowSegments, String vodPlaylist, byte[] dashInit,
                      List<byte[]> dashSegments) {
        this.segments = List.copyOf(segments);
        this.lowSegments = List.copyOf(lowSegments);
        this.vodPlaylist = recording(vodPlaylist, segments.size());
        this.dashInit = dashInit;
        this.dashSegments = List.copyOf(dashSegments);
        // Init and media fragments back to back are a valid fragmented MP4: the byte-range
        // (SegmentList mediaRange) rendition addresses its segments inside this one file.
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.writeBytes(dashInit);
        dashSegments.forEach(file::writeBytes);
        this.dashFile = file.toByteArray();
    }

    /** Loads the fixture; fails fast when a file is missing, because the jar was built wrongly. */
    public static DemoMedia fromClasspath() {
        ClassLoader loader = DemoMedia.class.getClassLoader();
        List<byte[]> segments = new ArrayList<>(SEGMENT_COUNT);
        List<byte[]> low = new ArrayList<>(SEGMENT_COUNT);
        long total = 0;
        for (int i = 0; i < SEGMENT_COUNT; i++) {
            byte[] bytes = read(loader, RESOURCE_DIR + vodSegmentName(i));
            segments.add(bytes);
            total += bytes.length;
            low.add(read(loader, RESOURCE_DIR + "low/" + vodSegmentName(i)));
        }
        String playlist = new String(read(loader, RESOURCE_DIR + "media.m3u8"), StandardCharsets.UTF_8);
        List<byte[]> dash = new ArrayList<>(SEGMENT_COUNT);
        for (int i = 0; i < SEGMENT_COUNT; i++) {
            dash.add(read(loader, RESOURCE_DIR + String.format(Locale.ROOT, "dash/chunk-%03d.m4s", i)));
        }
        DemoMedia media = new DemoMedia(segments, low, playlist, read(loader, RESOURCE_DIR + "dash/init.mp4"), dash);
        LOG.info("demo media - loaded {} segments, {} bytes, peak {} b/s", SEGMENT_COUNT, total, media.peakBandwidth());
        return media;
    }

    private static byte[] read(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("demo media " + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read demo media " + name, e);
        }
    }

    /**
     * The VOD recording's media playlist: the fixture playlist's segments {@link #VOD_LOOPS} times,
     * numbered on ({@code seg-000.ts} to {@code seg-149.ts}), a discontinuity where the fixture's
     * timestamps restart.
     */
    static String recording(String fixturePlaylist, int count) {
        List<String> durations = new ArrayList<>();
        StringBuilder head = new StringBuilder();
        for (String line : fixturePlaylist.split("\n")) {
            if (line.startsWith("#EXTINF:")) {
                durations.add(line);
            } else if (line.startsWith("#EXTM3U") || line.startsWith("#EXT-X-VERSION") || line.startsWith("#EXT-X-TARGETDURATION")
                    || line.startsWith("#EXT-X-MEDIA-SEQUENCE") || line.startsWith("#EXT-X-PLAYLIST-TYPE")) {
                head.append(line).append('\n');
            }
        }
        if (durations.size() != count) {
            throw new IllegalStateException("demo VOD playlist lists " + durations.size() + " segments, the fixture has "
                    + count + ": remake the fixture");
        }
        StringBuilder out = new StringBuilder(head);
        for (int i = 0; i < count * VOD_LOOPS; i++) {
            if (i > 0 && i % count == 0) {
                out.append("#EXT-X-DISCONTINUITY\n");
            }
            out.append(durations.get(i % count)).append('\n').append(vodSegmentName(i)).append('\n');
        }
        return out.append("#EXT-X-ENDLIST\n").toString();
    }

    /** File name of VOD segment {@code index} as the VOD playlist lists it: {@code seg-007.ts}. */
    public static String vodSegmentName(int index) {
        return String.format(Locale.ROOT, "seg-%03d.ts", index);
    }

    /** Segments in one loop of the fixture. */
    public int segmentCount() {
        return segments.size();
    }

    /** Segments in the VOD recording. */
    public int vodSegmentCount() {
        return segments.size() * VOD_LOOPS;
    }

    /** The bytes of VOD segment {@code index} (the fixture's, looped); callers must not modify the array. */
    public byte[] vodSegment(int index) {
        return segments.get(index % segments.size());
    }

    /** The bytes of fixture segment {@code index}; callers must not modify the array. */
    public byte[] segment(int index) {
        return segments.get(index);
    }

    /** The bytes of the lower rendition's fixture segment {@code index}; callers must not modify the array. */
    public byte[] lowSegment(int index) {
        return lowSegments.get(index);
    }

    /**
     * DASH segment {@code seq} of a looped timeline (the live stream, and the VOD recording from 0):
     * fixture segment {@code seq mod 10} with its decode time ({@code tfdt}, 64-bit in the fixture)
     * set to {@code seq} segments and its fragment number to {@code seq + 1}, so the media timeline
     * runs on without a break (one Period, no discontinuity when the fixture loops). A new array
     * each call.
     */
    public byte[] dashTimelineSegment(long seq) {
        byte[] bytes = dashSegments.get((int) Math.floorMod(seq, (long) dashSegments.size())).clone();
        int tfdt = find(bytes, "tfdt");
        int mfhd = find(bytes, "mfhd");
        if (tfdt < 0 || bytes[tfdt + 4] != 1 || mfhd < 0) {
            throw new IllegalStateException("demo DASH segment without a 64-bit tfdt and an mfhd: remake the fixture");
        }
        java.nio.ByteBuffer.wrap(bytes).putLong(tfdt + 8, seq * DASH_SEGMENT_TICKS).putInt(mfhd + 8, (int) (seq + 1));
        return bytes;
    }

    /** Index of the first box named {@code type} (its type field), or -1. */
    private static int find(byte[] bytes, String type) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 4; i + name.length <= bytes.length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (bytes[i + j] != name[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The DASH init segment; callers must not modify the array. */
    public byte[] dashInit() {
        return dashInit;
    }

    /** The DASH (fragmented MP4) form of fixture segment {@code index}; callers must not modify the array. */
    public byte[] dashSegment(int index) {
        return dashSegments.get(index);
    }

    /** Init and every DASH segment in one file, for byte-range addressing; callers must not modify it. */
    public byte[] dashFile() {
        return dashFile;
    }

    /** DASH {@code bandwidth}: the peak DASH segment bit rate. */
    public long dashBandwidth() {
        return peakBitsPerSecond(dashSegments);
    }

    /** The VOD recording's media playlist ({@link #recording}). */
    public String vodPlaylist() {
        return vodPlaylist;
    }

    /** HLS BANDWIDTH: the peak segment bit rate, which players use to pick and switch variants. */
    public long peakBandwidth() {
        return peakBitsPerSecond(segments);
    }

    /** The lower rendition's HLS BANDWIDTH. */
    public long lowPeakBandwidth() {
        return peakBitsPerSecond(lowSegments);
    }

    private static long peakBitsPerSecond(List<byte[]> segments) {
        long peak = 0;
        for (byte[] segment : segments) {
            peak = Math.max(peak, segment.length);
        }
        return peak * 8 / SEGMENT_SECONDS;
    }

    /** HLS AVERAGE-BANDWIDTH: total bits over total duration. */
    public long averageBandwidth() {
        return averageBitsPerSecond(segments);
    }

    private static long averageBitsPerSecond(List<byte[]> segments) {
        long total = 0;
        for (byte[] segment : segments) {
            total += segment.length;
        }
        return total * 8 / ((long) SEGMENT_SECONDS * segments.size());
    }

    /** Master playlist with the fixture's single variant; live and VOD both name {@code media.m3u8}. */
    public String masterPlaylist() {
        return "#EXTM3U\n"
                + "#EXT-X-VERSION:3\n"
                + variant(segments, RESOLUTION, "media.m3u8");
    }

    /**
     * Master playlist of the live stream with two renditions ({@code /demo/live/abr.m3u8}): the
     * fixture's, then the lower one ({@code low/media.m3u8}), the ABR ladder of a real event in
     * small.
     */
    public String abrMasterPlaylist() {
        return masterPlaylist() + variant(lowSegments, LOW_RESOLUTION, "low/media.m3u8");
    }

    private static String variant(List<byte[]> segments, String resolution, String uri) {
        return "#EXT-X-STREAM-INF:BANDWIDTH=" + peakBitsPerSecond(segments)
                + ",AVERAGE-BANDWIDTH=" + averageBitsPerSecond(segments)
                + ",RESOLUTION=" + resolution
                + ",CODECS=\"" + CODECS + "\"\n"
                + uri + "\n";
    }
}
