package io.swarmgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pair table against a plain map, through collisions, wrap-around, deletions and growth. */
class SimChannelsTest {

    @Test
    void aPairIsTheSameWhicheverSideAsksAndIsGoneOnceClosed() {
        SimChannels channels = new SimChannels(4);
        channels.open(7, 3, 1_500);
        assertEquals(1_500, channels.openAt(3, 7));
        channels.open(3, 7, 900);
        assertEquals(900, channels.openAt(7, 3));
        assertEquals(1, channels.size());
        channels.close(7, 3);
        assertEquals(SimChannels.NONE, channels.openAt(3, 7));
        channels.close(7, 3);
        assertEquals(0, channels.size());
    }

    @Test
    void agreesWithAMapOverManyRandomChanges() {
        SimChannels channels = new SimChannels(8);
        Map<Long, Long> expected = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int step = 0; step < 200_000; step++) {
            int a = random.nextInt(300);
            int b = random.nextInt(300);
            long key = ((long) Math.min(a, b) << 32) | Math.max(a, b);
            if (random.nextInt(3) == 0) {
                channels.close(a, b);
                expected.remove(key);
            } else {
                long at = random.nextLong(1_000_000);
                channels.open(a, b, at);
                expected.put(key, at);
            }
            if (step % 1_000 == 0) {
                for (int x = 0; x < 300; x += 7) {
                    for (int y = 0; y < 300; y += 5) {
                        long k = ((long) Math.min(x, y) << 32) | Math.max(x, y);
                        assertEquals(expected.getOrDefault(k, SimChannels.NONE), channels.openAt(x, y), x + "-" + y);
                    }
                }
            }
        }
        assertEquals(expected.size(), channels.size());
        expected.forEach((k, at) -> assertEquals(at, channels.openAt((int) (k >>> 32), (int) (long) k)));
    }
}
