package io.swarmgate.sim;

import java.util.Arrays;

/** A growable list of long samples with mean and exact percentiles, for the simulation's report. */
final class LongSamples {

    private long[] values = new long[64];
    private int size;

    void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    double mean() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return size == 0 ? 0 : (double) sum / size;
    }

    /** The nearest-rank percentile (0 < p ≤ 100); 0 when empty. */
    long percentile(double p) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }

    long max() {
        return percentile(100);
    }
}
