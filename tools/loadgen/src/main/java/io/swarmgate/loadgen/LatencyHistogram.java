package io.swarmgate.loadgen;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * A latency distribution recorded in microseconds with three significant digits, safe to record
 * into from many I/O threads at once. Percentiles are read in milliseconds.
 */
public final class LatencyHistogram {

    private final ConcurrentHistogram histogram = new ConcurrentHistogram(3); // auto-resizing

    /** Records the time from {@code fromNanos} to {@code toNanos}; a clock going backwards counts as 0. */
    public void record(long fromNanos, long toNanos) {
        histogram.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(toNanos - fromNanos)));
    }

    public long count() {
        return histogram.getTotalCount();
    }

    /**
     * The value at {@code percentile} (0–100) in milliseconds, rounded to 0.01 ms; {@code null}
     * without samples, so a report can tell "nothing measured" from "zero".
     */
    public Double percentileMillis(double percentile) {
        if (histogram.getTotalCount() == 0) {
            return null;
        }
        return Math.round(histogram.getValueAtPercentile(percentile) / 10.0) / 100.0;
    }

    public Double maxMillis() {
        return histogram.getTotalCount() == 0 ? null : Math.round(histogram.getMaxValue() / 10.0) / 100.0;
    }

    /** Receives a recorded value in microseconds (the top of its bucket) and how often it was recorded. */
    @FunctionalInterface
    public interface ValueCount {
        void accept(long micros, long count);
    }

    /** Every distinct recorded value, lowest first, so that histograms can be merged elsewhere. */
    public void forEachValue(ValueCount consumer) {
        for (org.HdrHistogram.HistogramIterationValue v : histogram.recordedValues()) {
            consumer.accept(v.getValueIteratedTo(), v.getCountAtValueIteratedTo());
        }
    }
}
