package io.swarmgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final Map<String, String> DEFAULTS = Map.of("--entries", "1000", "--changes", "50");

    @Test
    void givenOptionsReplaceTheDefaults() {
        BenchOptions o = BenchOptions.parse("bench-x", new String[] {"--changes", "7", "--data-dir", "/tmp/x"},
                DEFAULTS, "--data-dir");
        assertEquals(7, o.number("--changes"));
        assertEquals(1000, o.number("--entries"));
        assertEquals("/tmp/x", o.path("--data-dir"));
        assertNull(BenchOptions.parse("bench-x", new String[0], DEFAULTS, "--data-dir").path("--data-dir"));
    }

    @Test
    void aMistypedOptionIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse("bench-x", new String[] {"--change", "7"}, DEFAULTS));
        assertTrue(e.getMessage().contains("unknown option --change"), e.getMessage());
    }

    @Test
    void anOptionWithoutItsValueIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse("bench-x", new String[] {"--changes"}, DEFAULTS));
        assertTrue(e.getMessage().contains("--changes needs a value"), e.getMessage());
    }

    @Test
    void aNumberThatIsNotOneIsNamed() {
        for (String bad : new String[] {"0", "-5", "1e6", "many", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BenchOptions.parse("bench-x", new String[] {"--entries", bad}, DEFAULTS));
            assertTrue(e.getMessage().contains("--entries must be a positive whole number"), e.getMessage());
        }
    }
}
