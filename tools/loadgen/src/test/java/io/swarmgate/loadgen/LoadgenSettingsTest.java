package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
