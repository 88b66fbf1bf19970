package io.swarmgate.signaling;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A rate each site's viewers report, as the median of what viewers of one stream and site
 * reported in the last {@link #WINDOW_MS}. Two instances: the HTTP throughput (how fast a site's
 * link to the origin is), which a viewer that joins learns in {@code welcome} before it has
 * fetched anything itself, so on a branch office's congested WAN link it does not start by adding
 * its own fetches to the link when its neighbours on the LAN hold the segments; and the upload
 * capacity viewers measured sending segments to each other, which the console shows per site.
 *
 * <p>Threads: reports arrive on I/O threads, welcomes are built on the mesh thread; each site's
 * samples are a small ring guarded by its own monitor, and sites without a fresh sample are
 * dropped by {@link #prune}, so memory follows the sites that are watching.
 */
final class SiteThroughput {

    /** How long a report counts. */
    static final long WINDOW_MS = 60_000;
    /** Samples kept per stream and site: enough for a median, bounded whatever the audience. */
    static final int SAMPLES = 32;

    private record Key(String streamId, String site) {
    }

    private static final class Ring {
        final long[] kbps = new long[SAMPLES];
        final long[] at = new long[SAMPLES];
        int next;
        int size;
        volatile long newest;
    }

    private final Map<Key, Ring> sites = new ConcurrentHashMap<>();

    /** A viewer of {@code streamId} in {@code site} reported {@code kbps} (null: not measured) at {@code now}. */
    void record(String streamId, String site, Long kbps, long now) {
        if (kbps != null) {
            record(streamId, site, kbps.longValue(), now);
        }
    }

    /** A viewer of {@code streamId} in {@code site} reported {@code kbps} at {@code now}. */
    void record(String streamId, String site, long kbps, long now) {
        if (kbps <= 0) {
            return;
        }
        Ring ring = sites.computeIfAbsent(new Key(streamId, site), k -> new Ring());
        synchronized (ring) {
            ring.kbps[ring.next] = kbps;
            ring.at[ring.next] = now;
            ring.next = (ring.next + 1) % SAMPLES;
            ring.size = Math.min(SAMPLES, ring.size + 1);
            ring.newest = now;
        }
    }

    /** The median of the fresh reports of the site, or null when there is none. */
    Long median(String streamId, String site, long now) {
        Ring ring = sites.get(new Key(streamId, site));
        if (ring == null) {
            return null;
        }
        long[] fresh;
        int n = 0;
        synchronized (ring) {
            fresh = new long[ring.size];
            for (int i = 0; i < ring.size; i++) {
                if (now - ring.at[i] <= WINDOW_MS) {
                    fresh[n++] = ring.kbps[i];
                }
            }
        }
        if (n == 0) {
            return null;
        }
        Arrays.sort(fresh, 0, n);
        return fresh[n / 2];
    }

    /** Per site, over all its streams, the median of the fresh reports; sites without any are left out. */
    java.util.Map<String, Long> mediansBySite(long now) {
        Map<String, long[]> fresh = new java.util.TreeMap<>();
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (Map.Entry<Key, Ring> e : sites.entrySet()) {
            Ring ring = e.getValue();
            synchronized (ring) {
                for (int i = 0; i < ring.size; i++) {
                    if (now - ring.at[i] <= WINDOW_MS) {
                        String site = e.getKey().site();
                        int n = counts.getOrDefault(site, 0);
                        long[] values = fresh.computeIfAbsent(site, k -> new long[SAMPLES]);
                        if (n == values.length) {
                            values = Arrays.copyOf(values, n * 2);
                            fresh.put(site, values);
                        }
                        values[n] = ring.kbps[i];
                        counts.put(site, n + 1);
                    }
                }
            }
        }
        Map<String, Long> out = new java.util.TreeMap<>();
        fresh.forEach((site, values) -> {
            int n = counts.get(site);
            Arrays.sort(values, 0, n);
            out.put(site, values[n / 2]);
        });
        return out;
    }

    /** Forgets sites with no report in the window. */
    void prune(long now) {
        sites.values().removeIf(ring -> now - ring.newest > WINDOW_MS);
    }

    int siteCount() {
        return sites.size();
    }
}
