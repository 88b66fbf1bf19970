package io.swarmgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator must rank leaders exactly as the SDK does. Expected values come from the SDK:
 * {@code node -e "import('./sdk/src/core/leaders.js').then(m => console.log(m.leaderWeight('seg-1','a'),
 * m.leaderWeight('seg-1','b'), m.rankLeaders('seg-7',['v1-0','v22-0','v3-1'])))"}.
 */
class LeaderOrderTest {

    @Test
    void weightsAreTheSdksFnv1a() {
        assertEquals(1_194_979_119L, LeaderOrder.weight("seg-1", "a"));
        assertEquals(1_211_756_738L, LeaderOrder.weight("seg-1", "b"));
    }

    @Test
    void leadersAreRankedAsTheSdkRanksThem() {
        assertEquals(List.of("v22-0", "v1-0", "v3-1"), LeaderOrder.rank("seg-7", List.of("v1-0", "v22-0", "v3-1")));
    }
}
