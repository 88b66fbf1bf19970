package io.swarmgate.signaling;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A rate each site's viewers report, as the median of what viewers of one stream and site
 * reported in the last {@link #WINDOW_MS}. Two instances: the HTTP throughput (how fast a site's
 * link to the origin is), which a viewer that joins learns in {@code welcome} before it has
 * fetched anything itself, so on a branch office's congested WAN link it does not start by adding
 * its own fetches to the link when its neighbours on the LAN hold the segments, and which the
 * console shows per site as its WAN link ({@link #linksBySite}); and the upload capacity viewers
 * measured sending segments to each other, which the console shows per site.
 *
 * <p>The HTTP figure is also remembered per site, over all its streams, for {@link #REMEMBER_MS}
 * ({@link #siteFigure}): a link's speed belongs to the site, not to one stream, and the viewers who
 * open an event join before any of them has reported (every 10 s), so without it the first of a
 * branch office's viewers started as on an open link while they stampeded its thin one.
 *
 * <p>The remembered figures outlive a restart and are shared by a cluster's appliances through the
 * database ({@link SiteLinkStore}), which reads them ({@link #rememberedBySite}) and adds the stored
 * ones ({@link #remember}) on its own thread.
 *
 * <p>Threads: reports arrive on I/O threads, welcomes are built on the mesh thread; each site's
 * samples are a small ring guarded by its own monitor, and sites without a sample in the window
 * (or, remembered, in {@code rememberMs}) are dropped by {@link #prune}, so memory follows the
 * sites that are watching.
 */
final class SiteThroughput {

    /** How long a report counts for its stream. */
    static final long WINDOW_MS = 60_000;
    /** How long the HTTP figure is remembered for a site when its stream has no fresh report. */
    static final long REMEMBER_MS = 24 * 60 * 60 * 1000L;
    /** Samples kept per stream and site (and per site, remembered): enough for a median, bounded whatever the audience. */
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
    /** Per site over all its streams, when {@link #rememberMs} is positive. */
    private final Map<String, Ring> remembered = new ConcurrentHashMap<>();
    private final long rememberMs;

    /** Per stream and site only (the upload capacity the console shows). */
    SiteThroughput() {
        this(0);
    }

    /** @param rememberMs how long a site's figure outlives its stream's window; 0 for not at all */
    SiteThroughput(long rememberMs) {
        if (rememberMs != 0 && rememberMs < WINDOW_MS) {
            throw new IllegalArgumentException("rememberMs must be 0 or at least " + WINDOW_MS + ", got " + rememberMs);
        }
        this.rememberMs = rememberMs;
    }

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
        add(sites.computeIfAbsent(new Key(streamId, site), k -> new Ring()), kbps, now);
        if (rememberMs > 0) {
            add(remembered.computeIfAbsent(site, k -> new Ring()), kbps, now);
        }
    }

    private static void add(Ring ring, long kbps, long now) {
        synchronized (ring) {
            ring.kbps[ring.next] = kbps;
            ring.at[ring.next] = now;
            ring.next = (ring.next + 1) % SAMPLES;
            ring.size = Math.min(SAMPLES, ring.size + 1);
            // the newest whatever the order: a stored figure may have been measured by a clock a little ahead
            ring.newest = Math.max(ring.newest, now);
        }
    }

    /**
     * Takes a figure of {@code site} measured elsewhere (stored before a restart, or by another
     * appliance of the cluster: {@link SiteLinkStore}) into its remembered reports as one report
     * measured at {@code measuredAt}, unless the site already holds a report as new or newer (the
     * same figure read again, one that went to another appliance and came back, or older news) or it
     * is older than {@code rememberMs}. Nothing is taken without memory.
     *
     * @return whether it was taken
     */
    boolean remember(String site, long kbps, long measuredAt, long now) {
        if (rememberMs == 0 || kbps <= 0 || now - measuredAt > rememberMs) {
            return false;
        }
        Ring ring = remembered.computeIfAbsent(site, k -> new Ring());
        synchronized (ring) {
            if (ring.size > 0 && measuredAt <= ring.newest) {
                return false;
            }
            add(ring, kbps, measuredAt);
        }
        return true;
    }

    /** The median of the fresh reports of the site, or null when there is none. */
    Long median(String streamId, String site, long now) {
        return median(sites.get(new Key(streamId, site)), now - WINDOW_MS);
    }

    /**
     * The figure a viewer joining {@code streamId} in {@code site} is told: the median of its
     * stream's fresh reports there, else the median of the site's last reports for any stream in
     * {@code rememberMs}; null when neither exists.
     */
    Long siteFigure(String streamId, String site, long now) {
        Long fresh = median(streamId, site, now);
        if (fresh != null || rememberMs == 0) {
            return fresh;
        }
        return median(remembered.get(site), now - rememberMs);
    }

    private static Long median(Ring ring, long since) {
        if (ring == null) {
            return null;
        }
        Samples fresh = new Samples().addFrom(ring, since);
        return fresh.n == 0 ? null : fresh.median();
    }

    /** Per site, over all its streams, the median of the fresh reports; sites without any are left out. */
    Map<String, Long> mediansBySite(long now) {
        Map<String, Long> out = new TreeMap<>();
        freshBySite(now).forEach((site, fresh) -> out.put(site, fresh.median()));
        return out;
    }

    /**
     * Per site, its link as the console shows it: the median of the site's reports in the window
     * over all its streams, else the remembered figure (the one a joiner of a stream without fresh
     * reports of its own is told, {@link #siteFigure}), with the time of the newest report the
     * figure rests on. A joiner of a stream with fresh reports in the site is told that stream's
     * median instead, which differs only when a site's streams come over different paths. Sites
     * with neither are left out.
     */
    Map<String, SiteLink> linksBySite(long now) {
        Map<String, SiteLink> out = new TreeMap<>();
        freshBySite(now).forEach((site, fresh) -> out.put(site, fresh.link()));
        rememberedBySite(now).forEach(out::putIfAbsent);
        return out;
    }

    /**
     * Per site, its remembered figure: the median of the site's reports for any stream in
     * {@code rememberMs} (at most {@link #SAMPLES}), with the time of the newest; what
     * {@link SiteLinkStore} stores. Empty without memory.
     */
    Map<String, SiteLink> rememberedBySite(long now) {
        Map<String, SiteLink> out = new TreeMap<>();
        remembered.forEach((site, ring) -> {
            Samples kept = new Samples().addFrom(ring, now - rememberMs);
            if (kept.n > 0) {
                out.put(site, kept.link());
            }
        });
        return out;
    }

    private Map<String, Samples> freshBySite(long now) {
        Map<String, Samples> out = new TreeMap<>();
        for (Map.Entry<Key, Ring> e : sites.entrySet()) {
            out.computeIfAbsent(e.getKey().site(), k -> new Samples()).addFrom(e.getValue(), now - WINDOW_MS);
        }
        out.values().removeIf(fresh -> fresh.n == 0);
        return out;
    }

    /** Samples gathered from one or more rings (a site's streams), for their median and newest time. */
    private static final class Samples {
        long[] kbps = new long[SAMPLES];
        int n;
        long newest = Long.MIN_VALUE;

        /** Adds the ring's samples taken at or after {@code since}. */
        Samples addFrom(Ring ring, long since) {
            synchronized (ring) {
                for (int i = 0; i < ring.size; i++) {
                    if (ring.at[i] >= since) {
                        if (n == kbps.length) {
                            kbps = Arrays.copyOf(kbps, n * 2);
                        }
                        kbps[n++] = ring.kbps[i];
                        newest = Math.max(newest, ring.at[i]);
                    }
                }
            }
            return this;
        }

        /** Only when {@code n > 0}. */
        long median() {
            Arrays.sort(kbps, 0, n);
            return kbps[n / 2];
        }

        SiteLink link() {
            return new SiteLink(median(), Instant.ofEpochMilli(newest));
        }
    }

    /** Forgets sites with no report in the window, and remembered sites with none in {@code rememberMs}. */
    void prune(long now) {
        sites.values().removeIf(ring -> now - ring.newest > WINDOW_MS);
        remembered.values().removeIf(ring -> now - ring.newest > rememberMs);
    }

    /** Rings held: per stream and site, plus remembered sites (for tests of the memory bound). */
    int siteCount() {
        return sites.size() + remembered.size();
    }
}
