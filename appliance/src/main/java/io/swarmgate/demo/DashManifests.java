package io.swarmgate.demo;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The demo streams as DASH: the same video as the HLS playlists, in fragmented MP4. Each manifest
 * uses another way of addressing segments, so that the mesh's segment identity is exercised on
 * all of them:
 * <ul>
 *   <li>live, {@code /demo/live/manifest.mpd}: dynamic, {@code SegmentTemplate} with
 *       {@code $Number$}, where segment number = the HLS media sequence (the same wall-clock
 *       schedule, {@link DemoStream}); one Period from the epoch, the segments' decode times
 *       rewritten to match ({@link DemoMedia#dashTimelineSegment});</li>
 *   <li>VOD, {@code /demo/vod/manifest.mpd}: static, {@code SegmentTimeline} with {@code $Time$},
 *       the five-minute recording ({@link DemoMedia#VOD_LOOPS} loops of the fixture on one timeline);</li>
 *   <li>VOD, {@code /demo/vod/ranges.mpd}: static, {@code SegmentList} with byte ranges
 *       ({@code mediaRange}) inside one file, {@code video.mp4}: one loop of the fixture (20 s).</li>
 * </ul>
 * The live manifest carries its own clock ({@code UTCTiming} direct): without it a DASH player
 * asks a public time server, and the appliance's pages load nothing from outside.
 */
public final class DashManifests {

    /** Media type of a DASH manifest. */
    public static final String CONTENT_TYPE = "application/dash+xml";
    private static final DateTimeFormatter XS_DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final DemoMedia media;

    public DashManifests(DemoMedia media) {
        this.media = media;
    }

    /** Seconds of media in one loop of the fixture: one live Period. */
    private int loopSeconds() {
        return media.segmentCount() * DemoMedia.SEGMENT_SECONDS;
    }

    /** The live manifest at {@code now}: one Period from the epoch, segment number = media sequence. */
    public String live(DemoStream stream, Instant now) {
        StringBuilder out = header("dynamic")
                .append(" availabilityStartTime=\"1970-01-01T00:00:00Z\" publishTime=\"")
                .append(XS_DATE_TIME.format(now)).append('"')
                .append(" minimumUpdatePeriod=\"PT").append(DemoMedia.SEGMENT_SECONDS).append("S\"")
                .append(" timeShiftBufferDepth=\"PT").append((long) stream.windowSegments() * DemoMedia.SEGMENT_SECONDS)
                .append("S\" suggestedPresentationDelay=\"PT").append(3 * DemoMedia.SEGMENT_SECONDS).append("S\"")
                .append(" maxSegmentDuration=\"PT").append(DemoMedia.SEGMENT_SECONDS).append("S\"")
                .append(" minBufferTime=\"PT").append(DemoMedia.SEGMENT_SECONDS).append("S\">\n")
                .append("  <Period id=\"live\" start=\"PT0S\">\n");
        adaptationSet(out).append("      <SegmentTemplate timescale=\"").append(DemoMedia.DASH_TIMESCALE)
                .append("\" duration=\"").append(DemoMedia.DASH_SEGMENT_TICKS)
                .append("\" startNumber=\"0\" initialization=\"init.mp4\" media=\"chunk-$Number$.m4s\"/>\n");
        closeAdaptationSet(out).append("  </Period>\n");
        return out.append("  <UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:direct:2014\" value=\"")
                .append(XS_DATE_TIME.format(now)).append("\"/>\n</MPD>\n").toString();
    }

    /** The VOD manifest addressed by time: {@code chunk-$Time$.m4s}. */
    public String vodByTime() {
        StringBuilder out = staticHeader(media.vodSegmentCount() * DemoMedia.SEGMENT_SECONDS);
        adaptationSet(out).append("      <SegmentTemplate timescale=\"").append(DemoMedia.DASH_TIMESCALE)
                .append("\" initialization=\"init.mp4\" media=\"chunk-$Time$.m4s\">\n")
                .append("        <SegmentTimeline><S t=\"0\" d=\"").append(DemoMedia.DASH_SEGMENT_TICKS)
                .append("\" r=\"").append(media.vodSegmentCount() - 1).append("\"/></SegmentTimeline>\n")
                .append("      </SegmentTemplate>\n");
        return closeAdaptationSet(out).append("  </Period>\n</MPD>\n").toString();
    }

    /** The VOD manifest addressed by byte ranges inside {@code video.mp4}. */
    public String vodByRange() {
        StringBuilder out = staticHeader(loopSeconds());
        adaptationSet(out).append("      <BaseURL>video.mp4</BaseURL>\n")
                .append("      <SegmentList timescale=\"").append(DemoMedia.DASH_TIMESCALE)
                .append("\" duration=\"").append(DemoMedia.DASH_SEGMENT_TICKS).append("\">\n")
                .append("        <Initialization range=\"0-").append(media.dashInit().length - 1).append("\"/>\n");
        long offset = media.dashInit().length;
        for (int i = 0; i < media.segmentCount(); i++) {
            long length = media.dashSegment(i).length;
            out.append("        <SegmentURL mediaRange=\"").append(offset).append('-').append(offset + length - 1)
                    .append("\"/>\n");
            offset += length;
        }
        out.append("      </SegmentList>\n");
        return closeAdaptationSet(out).append("  </Period>\n</MPD>\n").toString();
    }

    private StringBuilder staticHeader(int seconds) {
        return header("static")
                .append(" mediaPresentationDuration=\"PT").append(seconds).append("S\"")
                .append(" minBufferTime=\"PT").append(DemoMedia.SEGMENT_SECONDS).append("S\">\n")
                .append("  <Period id=\"vod\" start=\"PT0S\">\n");
    }

    private static StringBuilder header(String type) {
        return new StringBuilder(2048).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"")
                .append(" type=\"").append(type).append('"');
    }

    private StringBuilder adaptationSet(StringBuilder out) {
        return out.append("    <AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\"")
                .append(" segmentAlignment=\"true\" startWithSAP=\"1\">\n")
                .append("     <Representation id=\"video\" codecs=\"").append(DemoMedia.DASH_CODECS)
                .append("\" bandwidth=\"").append(media.dashBandwidth()).append("\" width=\"320\" height=\"180\"")
                .append(" frameRate=\"25\">\n");
    }

    private static StringBuilder closeAdaptationSet(StringBuilder out) {
        return out.append("     </Representation>\n    </AdaptationSet>\n");
    }
}
