package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentLeadersTest {

    @Test
    void fnv1aMatchesThePublishedTestVectors() {
        assertEquals(0x811C9DC5L, SegmentLeaders.fnv1a32(new byte[0]));
        assertEquals(0xE40C292CL, SegmentLeaders.fnv1a32("a".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0xBF9CF968L, SegmentLeaders.fnv1a32("foobar".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void weightHashesSegmentBarPeerAsUtf8() {
        assertEquals(SegmentLeaders.fnv1a32("seg-7|pé".getBytes(StandardCharsets.UTF_8)), SegmentLeaders.weight("seg-7", "pé"));
    }

    @Test
    void rankingDoesNotDependOnTheOrderLeadersAreGiven() {
        for (int s = 0; s < 200; s++) {
            String segment = "seg-" + s;
            assertEquals(SegmentLeaders.rank(segment, List.of("a", "b", "c")),
                    SegmentLeaders.rank(segment, List.of("c", "a", "b")));
        }
    }

    @Test
    void rankingPutsTheHighestWeightFirst() {
        List<String> ranked = SegmentLeaders.rank("seg-1", List.of("p1", "p2", "p3", "p4"));
        for (int i = 1; i < ranked.size(); i++) {
            assertTrue(SegmentLeaders.weight("seg-1", ranked.get(i - 1)) >= SegmentLeaders.weight("seg-1", ranked.get(i)));
        }
    }

    @Test
    void removingALeaderMovesOnlyTheSegmentsItWasPrimaryFor() {
        List<String> before = List.of("alice", "bob", "carol");
        List<String> after = List.of("alice", "carol");
        Map<String, Integer> primaries = new HashMap<>();
        int moved = 0;
        for (int s = 0; s < 3000; s++) {
            String segment = "live/seg-" + s + ".ts";
            List<String> old = SegmentLeaders.rank(segment, before);
            String now = SegmentLeaders.rank(segment, after).get(0);
            primaries.merge(old.get(0), 1, Integer::sum);
            if (!old.get(0).equals("bob")) {
                assertEquals(old.get(0), now, segment + " moved although its leader stayed");
            } else {
                // bob's segments go to whoever was their backup.
                assertEquals(old.get(1), now);
                moved++;
            }
        }
        assertEquals(primaries.get("bob"), moved);
        // The hash spreads segments: each of three leaders gets roughly a third.
        primaries.values().forEach(n -> assertTrue(n > 800 && n < 1200, "unbalanced " + primaries));
    }

    @Test
    void pinnedVectorForTheBrowserSdkToMirror() {
        // Computed independently (Python); the SDK's unit tests use the same vector.
        assertEquals(0x307C0234L, SegmentLeaders.weight("seg-42.ts", "peer-a"));
        assertEquals(0x337C06EDL, SegmentLeaders.weight("seg-42.ts", "peer-b"));
        assertEquals(0x327C055AL, SegmentLeaders.weight("seg-42.ts", "peer-c"));
        assertEquals(List.of("peer-b", "peer-c", "peer-a"), SegmentLeaders.rank("seg-42.ts", List.of("peer-a", "peer-b", "peer-c")));
    }
}
