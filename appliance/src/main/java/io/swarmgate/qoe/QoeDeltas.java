package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeColumns.COUNT;
import static io.swarmgate.qoe.QoeTable.ALL;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one flush of the aggregator adds to the minute tables: the detail increments per (stream,
 * site, minute), their sums per stream, per site and overall ({@link #totals}) and the per-stream
 * and per-site sums of each hour ({@link #byHour}). Plain computation;
 * {@link QoeRepository#mergeMinutes} writes all three in one transaction.
 */
final class QoeDeltas {

    /** Increments for one (stream, site, minute): added to the row if it exists, inserted if not. */
    record Minute(String streamId, String site, long minuteStart, long viewers, long[] counters) {
    }

    /** Increments of one {@code qoe_minute_total_by_hour} row: viewer minutes, then the counters. */
    record Hour(String streamId, String site, long hourStart, long[] values) {
    }

    private QoeDeltas() {
    }

    /** The deltas summed per (stream, '*'), ('*', site) and ('*', '*') of each minute. */
    static List<Minute> totals(List<Minute> deltas) {
        record K(String stream, String site, long minute) {
        }
        Map<K, long[]> sums = new LinkedHashMap<>();
        for (Minute d : deltas) {
            for (K k : new K[] {new K(d.streamId(), ALL, d.minuteStart()), new K(ALL, d.site(), d.minuteStart()),
                new K(ALL, ALL, d.minuteStart())}) {
                long[] v = sums.computeIfAbsent(k, x -> new long[COUNT + 1]);
                v[COUNT] += d.viewers();
                for (int i = 0; i < COUNT; i++) {
                    v[i] += d.counters()[i];
                }
            }
        }
        List<Minute> out = new ArrayList<>(sums.size());
        sums.forEach((k, v) -> out.add(new Minute(k.stream(), k.site(), k.minute(), v[COUNT], Arrays.copyOf(v, COUNT))));
        return out;
    }

    /**
     * The per-stream and per-site rows of {@code totals} (not the overall ones) summed per hour:
     * viewer minutes (a minute row's viewers), then the counters.
     */
    static List<Hour> byHour(List<Minute> totals) {
        record K(String stream, String site, long hour) {
        }
        Map<K, long[]> sums = new LinkedHashMap<>();
        for (Minute d : totals) {
            if (d.streamId().equals(ALL) && d.site().equals(ALL)) {
                continue;
            }
            long[] v = sums.computeIfAbsent(new K(d.streamId(), d.site(), Math.floorDiv(d.minuteStart(), 3600L) * 3600),
                    x -> new long[COUNT + 1]);
            v[0] += d.viewers();
            for (int i = 0; i < COUNT; i++) {
                v[1 + i] += d.counters()[i];
            }
        }
        List<Hour> out = new ArrayList<>(sums.size());
        sums.forEach((k, v) -> out.add(new Hour(k.stream(), k.site(), k.hour(), v)));
        return out;
    }
}
