package io.swarmgate.qoe;

import static io.swarmgate.qoe.QoeTable.ALL;

import io.swarmgate.qoe.QoeRepository.Scan;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which stored rows answer a history read, for {@link QoeQueries} and the benchmark: the
 * pre-summed total rows wherever a filter allows, the coarse breakdown rows for whole coarse
 * periods, the detail rows otherwise. The statements are {@link QoeRepository}'s; this class only
 * chooses the tables and ranges they read.
 */
final class QoeHistoryReads {

    /** One grouped row of a read: the group's key (a time, stream or site) and its sums. */
    record Group(String key, long time, QoeSums sums) {
    }

    private final QoeRepository repository;

    QoeHistoryReads(QoeRepository repository) {
        this.repository = repository;
    }

    /**
     * Sums per period of {@code table} in [from, to), optionally restricted to a stream and/or a
     * site; ordered by time. Each group's {@code peakViewers} is its summed viewers. Reads one
     * pre-summed row per period (overall, the stream's or the site's total) unless both a stream
     * and a site are given; then the detail rows of that pair.
     */
    List<Group> series(QoeTable table, long from, long to, String stream, String site) throws SQLException {
        Scan scan = stream != null && site != null ? new Scan(table.name, table.time, from, to, stream, site, null)
                : new Scan(table.totals, table.time, from, to, stream == null ? ALL : stream, site == null ? ALL : site,
                        null);
        Map<Object, QoeSums> sums = repository.sumPerPeriod(scan);
        List<Group> out = new ArrayList<>(sums.size());
        sums.forEach((k, g) -> out.add(new Group(null, (Long) k, g)));
        return out;
    }

    /**
     * Sums per stream ({@code byColumn} "stream_id") or per site ("site") in [from, to). Reads the
     * per-stream / per-site total rows when the other dimension is not filtered: the coarse
     * breakdown rows for the whole coarse periods (hours of minutes, days of hours) inside the
     * range and the total rows for the partial ones at either end. Otherwise (e.g. the sites of one
     * stream) the detail rows of the filter.
     */
    List<Group> breakdown(QoeTable table, String byColumn, long from, long to, String stream, String site)
            throws SQLException {
        boolean totals;
        String totalStream;
        String totalSite;
        if (byColumn.equals("stream_id")) {
            // Per stream over every site: the (stream, '*') rows; of one site: that site's detail rows.
            totals = site == null;
            totalStream = stream;
            totalSite = ALL;
        } else if (byColumn.equals("site")) {
            totals = stream == null;
            totalStream = ALL;
            totalSite = site;
        } else {
            throw new IllegalArgumentException(byColumn);
        }
        List<Scan> scans = new ArrayList<>(3);
        if (!totals) {
            scans.add(new Scan(table.name, table.time, from, to, stream, site, null));
        } else {
            long p = table.coarseSeconds;
            long first = -Math.floorDiv(-from, p) * p;
            long last = Math.floorDiv(to, p) * p;
            if (first < last) {
                scans.add(new Scan(table.totals, table.time, from, first, totalStream, totalSite, byColumn));
                scans.add(new Scan(table.coarse, table.coarseTime, first, last, totalStream, totalSite, byColumn));
                scans.add(new Scan(table.totals, table.time, last, to, totalStream, totalSite, byColumn));
            } else {
                scans.add(new Scan(table.totals, table.time, from, to, totalStream, totalSite, byColumn));
            }
        }
        Map<Object, QoeSums> sums = repository.sumPerKey(byColumn, scans);
        List<Group> out = new ArrayList<>(sums.size());
        sums.forEach((k, g) -> out.add(new Group((String) k, 0, g)));
        return out;
    }
}
