package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    private static final long MS = 1_000_000;

    @Test
    void emptyHistogramReportsNullNotZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertNull(h.percentileMillis(99));
        assertNull(h.maxMillis());
        assertEquals(0, h.count());
    }

    @Test
    void percentilesOfOneToHundredMillis() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100; i++) {
            h.record(10 * MS, 10 * MS + i * MS);
        }
        assertEquals(100, h.count());
        assertEquals(50.0, h.percentileMillis(50), 0.05);
        assertEquals(99.0, h.percentileMillis(99), 0.1);
        assertEquals(100.0, h.maxMillis(), 0.1);
    }

    @Test
    void oneSlowOutlierInAHundredShowsAtP99Not50() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 98; i++) {
            h.record(0, 2 * MS);
        }
        h.record(0, 2_000 * MS);
        h.record(0, 2_000 * MS);
        assertEquals(2.0, h.percentileMillis(50), 0.01);
        assertEquals(2000.0, h.percentileMillis(99), 2.0);
    }

    @Test
    void subMillisecondValuesKeepTwoDecimalsAndBackwardsClocksCountAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(0, 1_234_567);
        assertEquals(1.23, h.percentileMillis(100), 0.005);
        LatencyHistogram backwards = new LatencyHistogram();
        backwards.record(5 * MS, 4 * MS);
        assertEquals(0.0, backwards.percentileMillis(50));
    }

    @Test
    void recordedValuesComeOutLowestFirstWithTheirCounts() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(0, 3 * MS);
        h.record(0, MS);
        h.record(0, 3 * MS);
        java.util.List<long[]> values = new java.util.ArrayList<>();
        h.forEachValue((micros, count) -> values.add(new long[] {micros, count}));
        assertEquals(2, values.size());
        assertEquals(1_000, values.get(0)[0], 1);
        assertEquals(1, values.get(0)[1]);
        assertEquals(3_000, values.get(1)[0], 3);
        assertEquals(2, values.get(1)[1]);
    }
}
