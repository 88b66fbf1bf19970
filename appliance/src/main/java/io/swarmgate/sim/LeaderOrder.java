package io.swarmgate.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Which site leader fetches a live segment first, as every viewer computes it (docs/protocol.md
 * "Site leaders", sdk/src/core/leaders.js): FNV-1a 32-bit of {@code segmentId + "|" + peerId},
 * highest first, ties by the smaller peer id. The simulation needs the same order the SDK uses, or
 * it would count the wrong leader's fetches.
 */
final class LeaderOrder {

    private static final int FNV_OFFSET_BASIS = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    private LeaderOrder() {
    }

    static long weight(String segmentId, String peerId) {
        int h = FNV_OFFSET_BASIS;
        for (byte b : (segmentId + "|" + peerId).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return Integer.toUnsignedLong(h);
    }

    /** The leaders ranked for one segment: primary first, then the backup, and so on. */
    static List<String> rank(String segmentId, List<String> leaders) {
        List<String> ranked = new ArrayList<>(leaders);
        ranked.sort((a, b) -> {
            int byWeight = Long.compare(weight(segmentId, b), weight(segmentId, a));
            return byWeight != 0 ? byWeight : a.compareTo(b);
        });
        return ranked;
    }
}
