package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LoadgenSettingsTest {

    private static LoadgenSettings settings(String url, int peers, int subnets) {
        return new LoadgenSettings(URI.create(url), null, peers, subnets, 500, 10, "loadgen", 200, null, null, 0);
    }

    @Test
    void acceptsTheBenchmarkGoal() {
        LoadgenSettings s = settings("ws://127.0.0.1:8080/ws", 20_000, 200).validate();
        assertEquals(40_000, s.expectedJoinMillis());
        assertEquals(40_000 + 70_000, s.hardStopMillis());
    }

    @Test
    void errorsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> settings("http://127.0.0.1/ws", 1, 1).validate()).getMessage().startsWith("--url"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> settings("ws://127.0.0.1/ws", 0, 1).validate()).getMessage().startsWith("--peers"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> settings("ws://127.0.0.1/ws", 1, 0).validate()).getMessage().startsWith("--subnets"));
        // one subnet holds 254 addresses × 64 connections
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> settings("ws://127.0.0.1/ws", 254 * 64 + 1, 1).validate()).getMessage().startsWith("--peers"));
    }

    private static LoadgenSettings spread(String url, int subnets, int streams) {
        return new LoadgenSettings(URI.create(url), null, 100, subnets, 500, 10, "live/a b", 200, null, null, 0,
                streams);
    }

    @Test
    void oneStreamKeepsTheUrlAndTheStream() {
        LoadgenSettings s = settings("ws://127.0.0.1:8080/ws", 10, 4).validate();
        assertEquals("loadgen", s.streamOf(7));
        assertEquals(URI.create("ws://127.0.0.1:8080/ws"), s.urlOf(7));
        assertTrue(s.firstOfGroup(3));
        assertFalse(s.firstOfGroup(4));
    }

    @Test
    void streamsGoRoundRobinAndNameThemselvesInTheUrl() {
        LoadgenSettings s = spread("ws://127.0.0.1:8080/ws", 4, 3).validate();
        assertEquals("live/a b-0", s.streamOf(0));
        assertEquals("live/a b-2", s.streamOf(5));
        assertEquals("live/a b-1", s.streamOf(7));
        assertEquals(URI.create("ws://127.0.0.1:8080/ws?stream=live%2Fa+b-1"), s.urlOf(7));
        assertEquals(URI.create("ws://h/ws?x=1&stream=live%2Fa+b-0"),
                spread("ws://h/ws?x=1", 4, 3).urlOf(3));
        // subnet i mod 4 and stream i mod 3: the pair first repeats at index 12
        assertTrue(s.firstOfGroup(11));
        assertFalse(s.firstOfGroup(12));
        assertEquals(s.streamOf(0), s.streamOf(12));
        // 4 subnets, 2 streams: the pair repeats every 4
        assertFalse(spread("ws://h/ws", 4, 2).firstOfGroup(4));
    }

    @Test
    void streamsOutOfRangeNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> spread("ws://h/ws", 4, 0).validate()).getMessage().startsWith("--streams"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> spread("ws://h/ws", 4, LoadgenSettings.MAX_STREAMS + 1).validate()).getMessage()
                .startsWith("--streams"));
    }
}
