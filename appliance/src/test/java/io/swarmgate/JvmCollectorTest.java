package io.swarmgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JvmCollectorTest {

    @Test
    void theSerialCollectorThatOneCpuGetsIsWarnedAbout() {
        String warning = JvmCollector.warning(List.of("Copy", "MarkSweepCompact")).orElseThrow();
        assertTrue(warning.contains("Serial"), warning);
        assertTrue(warning.contains(JvmCollector.RECOMMENDED), warning);
    }

    @Test
    void theParallelCollectorIsWarnedAbout() {
        assertTrue(JvmCollector.warning(List.of("PS Scavenge", "PS MarkSweep")).orElseThrow().contains("Parallel"));
    }

    @Test
    void collectorsWithShortPausesAreNot() {
        assertEquals(Optional.empty(), JvmCollector.warning(List.of("G1 Young Generation", "G1 Old Generation")));
        assertEquals(Optional.empty(), JvmCollector.warning(List.of("ZGC Cycles", "ZGC Pauses")));
        assertEquals(Optional.empty(), JvmCollector.warning(List.of("Shenandoah Pauses", "Shenandoah Cycles")));
    }
}
