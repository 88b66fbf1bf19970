package io.swarmgate.mesh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which site leader fetches a segment over HTTP: rendezvous (highest-random-weight) hashing.
 *
 * <p>The rule, which the browser SDK implements identically:
 * <ol>
 *   <li>for each leader, {@code weight = FNV-1a-32(UTF-8(segmentId + "|" + peerId))}, read as an
 *       unsigned 32-bit integer; FNV-1a-32 starts at offset basis {@code 0x811C9DC5} and for each
 *       byte does {@code h ^= byte; h *= 0x01000193} (mod 2<sup>32</sup>; in JavaScript
 *       {@code h = Math.imul(h ^ b, 0x01000193) >>> 0});</li>
 *   <li>leaders are ranked by weight, highest first; equal weights rank by peer id in ascending
 *       UTF-16 code unit order (Java {@code String.compareTo}, JavaScript {@code <});</li>
 *   <li>the first is the primary, the second the backup.</li>
 * </ol>
 * A leader that leaves only moves the segments it was primary for; the other leaders keep theirs.
 * Test vectors: FNV-1a-32 of "" is {@code 0x811C9DC5}, of "a" {@code 0xE40C292C}, of "foobar"
 * {@code 0xBF9CF968}.
 */
public final class SegmentLeaders {

    private static final int FNV_OFFSET_BASIS = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private SegmentLeaders() {
    }

    /** FNV-1a 32-bit of {@code bytes}, as an unsigned value. */
    public static long fnv1a32(byte[] bytes) {
        int hash = FNV_OFFSET_BASIS;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return Integer.toUnsignedLong(hash);
    }

    /** The rendezvous weight of {@code peerId} for {@code segmentId}. */
    public static long weight(String segmentId, String peerId) {
        return fnv1a32((segmentId + "|" + peerId).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code leaders} in rendezvous order for {@code segmentId}: primary first. */
    public static List<String> rank(String segmentId, Collection<String> leaders) {
        record Weighted(String peerId, long weight) {
        }
        List<Weighted> weighted = new ArrayList<>(leaders.size());
        for (String leader : leaders) {
            weighted.add(new Weighted(leader, weight(segmentId, leader)));
        }
        weighted.sort(Comparator.comparingLong(Weighted::weight).reversed().thenComparing(Weighted::peerId));
        return weighted.stream().map(Weighted::peerId).toList();
    }
}
