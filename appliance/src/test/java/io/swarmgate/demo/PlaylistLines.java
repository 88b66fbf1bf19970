package io.swarmgate.demo;

import java.util.ArrayList;
import java.util.List;

/** A parsed live media playlist, just the parts the demo tests check. */
record PlaylistLines(long mediaSequence, long discontinuitySequence, List<Entry> entries, List<String> lines) {

    /** One segment: its URI, whether a discontinuity tag precedes it, its program date-time if any. */
    record Entry(String uri, boolean discontinuity, String programDateTime) {
    }

    static PlaylistLines parse(String text) {
        List<String> lines = text.lines().toList();
        long mediaSequence = -1;
        long discontinuitySequence = -1;
        List<Entry> entries = new ArrayList<>();
        boolean discontinuity = false;
        String programDateTime = null;
        for (String line : lines) {
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                mediaSequence = Long.parseLong(line.substring(line.indexOf(':') + 1));
            } else if (line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")) {
                discontinuitySequence = Long.parseLong(line.substring(line.indexOf(':') + 1));
            } else if (line.equals("#EXT-X-DISCONTINUITY")) {
                discontinuity = true;
            } else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                programDateTime = line.substring(line.indexOf(':') + 1);
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                entries.add(new Entry(line, discontinuity, programDateTime));
                discontinuity = false;
                programDateTime = null;
            }
        }
        return new PlaylistLines(mediaSequence, discontinuitySequence, entries, lines);
    }

    /** Live sequence number of entry {@code i}, from its {@code seg-<seq>.ts} URI. */
    long sequence(int i) {
        String uri = entries.get(i).uri();
        return Long.parseLong(uri.substring("seg-".length(), uri.length() - ".ts".length()));
    }
}
