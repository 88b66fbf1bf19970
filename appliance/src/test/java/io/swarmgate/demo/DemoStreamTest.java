package io.swarmgate.demo;

import io.swarmgate.SettableClock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoStreamTest {

    private static final DemoMedia MEDIA = DemoMedia.fromClasspath();
    /** 2026-11-22T00:00:00Z: a multiple of 2 s, whose sequence 897_652_800 is fixture index 0. */
    private static final long T0 = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();

    private final SettableClock clock = new SettableClock(T0);
    private final DemoStream stream = new DemoStream(MEDIA, 6, clock);

    @Test
    void mediaSequenceAdvancesByOnePerTwoSecondsOfClock() {
        long start = stream.window().newest();
        assertEquals(T0 / 2000, start);
        for (int step = 1; step <= 50; step++) {
            clock.set(T0 + step * 2000L - 1);
            assertEquals(start + step - 1, stream.window().newest(), "just before a boundary");
            clock.set(T0 + step * 2000L);
            assertEquals(start + step, stream.window().newest(), "exactly at a boundary");
            PlaylistLines playlist = PlaylistLines.parse(stream.mediaPlaylist());
            assertEquals(start + step - 5, playlist.mediaSequence());
        }
    }

    @Test
    void windowListsTheConfiguredNumberOfConsecutiveSegmentsEndingAtTheNewest() {
        for (int window : new int[] {3, 6, 30}) {
            DemoStream sized = new DemoStream(MEDIA, window, clock);
            PlaylistLines playlist = PlaylistLines.parse(sized.mediaPlaylist());
            assertEquals(window, playlist.entries().size());
            for (int i = 0; i < window; i++) {
                assertEquals(playlist.mediaSequence() + i, playlist.sequence(i));
            }
            assertEquals(sized.window().newest(), playlist.sequence(window - 1));
        }
    }

    @Test
    void playlistIsLiveWithTargetDurationAndDateOnFirstSegmentOnly() {
        clock.set(T0 + 7 * 2000 + 500);
        String text = stream.mediaPlaylist();
        PlaylistLines playlist = PlaylistLines.parse(text);
        assertTrue(text.startsWith("#EXTM3U\n"));
        assertTrue(playlist.lines().contains("#EXT-X-TARGETDURATION:2"));
        assertFalse(text.contains("#EXT-X-ENDLIST"));
        assertFalse(text.contains("#EXT-X-PLAYLIST-TYPE"));
        assertEquals("2026-11-22T00:00:04.000Z", playlist.entries().get(0).programDateTime());
        assertTrue(playlist.entries().stream().skip(1).allMatch(e -> e.programDateTime() == null));
        assertEquals(6, playlist.lines().stream().filter(l -> l.equals("#EXTINF:2.000,")).count());
    }

    @Test
    void discontinuityTagPrecedesExactlyTheSegmentsWhereTheFixtureWraps() {
        for (int step = 0; step < 40; step++) {
            clock.set(T0 + step * 2000L);
            PlaylistLines playlist = PlaylistLines.parse(stream.mediaPlaylist());
            for (int i = 0; i < playlist.entries().size(); i++) {
                long seq = playlist.sequence(i);
                assertEquals(seq % 10 == 0, playlist.entries().get(i).discontinuity(), "segment " + seq);
            }
        }
    }

    @Test
    void discontinuitySequenceGivesEachSegmentOneNumberAsTheWindowSlides() {
        // A segment's discontinuity number is the playlist's DISCONTINUITY-SEQUENCE plus the tags up
        // to and including it; it must never change between reloads, or players misplace it. The
        // count starts where the stream was created, so try every position in the loop.
        for (int created = 0; created < 10; created++) {
            SettableClock slidingClock = new SettableClock(T0 + created * 2000L + 1234);
            DemoStream sliding = new DemoStream(MEDIA, 6, slidingClock);
            Map<Long, Long> numbers = new HashMap<>();
            long previousSequence = -1;
            for (int step = 0; step < 60; step++) {
                PlaylistLines playlist = PlaylistLines.parse(sliding.mediaPlaylist());
                long number = playlist.discontinuitySequence();
                assertTrue(number >= 0);
                for (int i = 0; i < playlist.entries().size(); i++) {
                    if (playlist.entries().get(i).discontinuity()) {
                        number++;
                    }
                    Long before = numbers.putIfAbsent(playlist.sequence(i), number);
                    if (before != null) {
                        assertEquals(before, number, "segment " + playlist.sequence(i) + " at step " + step
                                + ", created at " + created);
                    }
                }
                assertEquals(previousSequence < 0 ? playlist.mediaSequence() : previousSequence + 1, playlist.mediaSequence());
                previousSequence = playlist.mediaSequence();
                slidingClock.advance(2000);
            }
            // And it counts loops: one more per wrap of the fixture.
            long first = numbers.keySet().stream().min(Long::compare).orElseThrow();
            long offset = numbers.get(first) - first / 10;
            for (Map.Entry<Long, Long> entry : numbers.entrySet()) {
                assertEquals(entry.getKey() / 10 + offset, entry.getValue(), "segment " + entry.getKey());
            }
        }
    }

    @Test
    void discontinuitySequenceStaysSmallWhateverTheWallClock() {
        // hls.js indexes a sparse array by discontinuity number: a count since 1970 stalls it.
        for (long offset : new long[] {0, 2000, 19_999, 20_000, 123_456}) {
            clock.set(T0 + offset);
            DemoStream fresh = new DemoStream(MEDIA, 6, clock);
            assertTrue(PlaylistLines.parse(fresh.mediaPlaylist()).discontinuitySequence() <= 1);
            clock.advance(3_600_000);
            assertTrue(PlaylistLines.parse(fresh.mediaPlaylist()).discontinuitySequence() <= 181);
        }
    }

    @Test
    void segmentsArePublishedAtTheirTimeAndKeptForThreeWindows() {
        clock.set(T0 + 100 * 2000L);
        long newest = stream.window().newest();
        assertArrayEquals(MEDIA.segment(0), stream.segment(newest).orElseThrow());
        assertArrayEquals(MEDIA.segment(3), stream.segment(newest + 3 - 10).orElseThrow());
        assertTrue(stream.segment(newest + 1).isEmpty(), "future");
        assertTrue(stream.segment(newest - 17).isPresent(), "oldest of three windows");
        assertTrue(stream.segment(newest - 18).isEmpty(), "expired");
        assertTrue(stream.segment(-1).isEmpty());
    }

    @Test
    void clockNearTheEpochNeverListsNegativeSequences() {
        clock.set(2500);
        PlaylistLines playlist = PlaylistLines.parse(stream.mediaPlaylist());
        assertEquals(0, playlist.mediaSequence());
        assertEquals(0, playlist.discontinuitySequence());
        assertEquals(2, playlist.entries().size());
        assertFalse(playlist.entries().get(0).discontinuity());
    }

    @Test
    void aFixturePlaylistThatDoesNotMatchTheSegmentsIsRefused() {
        String two = "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:2.000000,\nseg-000.ts\n#EXTINF:2.000000,\nseg-001.ts\n#EXT-X-ENDLIST\n";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DemoMedia.recording(two, 3));
        assertTrue(e.getMessage().contains("remake the fixture"), e.getMessage());
        String recording = DemoMedia.recording(two, 2);
        assertTrue(recording.startsWith("#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:2.000000,\nseg-000.ts\n"), recording);
        assertEquals(2 * DemoMedia.VOD_LOOPS, recording.lines().filter(l -> l.startsWith("seg-")).count());
    }

    @Test
    void fixtureIsTenTwoSecondSegmentsAndBandwidthComesFromTheirSizes() {
        assertEquals(10, MEDIA.segmentCount());
        assertEquals(10 * DemoMedia.VOD_LOOPS, MEDIA.vodPlaylist().lines().filter(l -> l.equals("#EXTINF:2.000000,")).count(),
                "the VOD recording loops the fixture");
        long peak = 0;
        long total = 0;
        for (int i = 0; i < 10; i++) {
            peak = Math.max(peak, MEDIA.segment(i).length);
            total += MEDIA.segment(i).length;
            assertEquals(0x47, MEDIA.segment(i)[0], "MPEG-TS sync byte");
        }
        assertEquals(peak * 8 / 2, MEDIA.peakBandwidth());
        assertEquals(total * 8 / 20, MEDIA.averageBandwidth());
        assertTrue(MEDIA.masterPlaylist().contains("#EXT-X-STREAM-INF:BANDWIDTH=" + peak * 4 + ",AVERAGE-BANDWIDTH="
                + total * 8 / 20 + ",RESOLUTION=320x180,CODECS=\"avc1.4d401e,mp4a.40.2\"\nmedia.m3u8\n"));
    }
}
