package io.swarmgate.sim;

/** The counters a simulation run adds up, turned into its {@link SimResult} at the end. */
final class SimTally {

    /** A viewer "has a neighbour within 2 s" when its first {@code neighbour} message came this soon after joining. */
    static final long NEIGHBOUR_WITHIN_MS = 2_000;

    long joins;
    long rejoins;
    long leaves;
    long drops;
    long resumes;
    long leaderKills;
    long wanOutages;
    long joinCpuNs;
    /** Pairings reported failing because one side's firewall blocks WebRTC. */
    long pairingsFailed;
    double heapPerViewerKib;
    long siteSegments;
    long outageSiteSegments;
    long wanCopies;
    /** By who fetched: primary, backup, no leader, fallback, alone (firewalled), a joiner's start. */
    final long[] wanBy = new long[6];
    /**
     * WAN copies by site and segment, -1 where the segment never reached the site: a joiner's
     * start fetches add to a segment after its spread counted it.
     */
    private final int[][] copies;
    /** The window over which a site's WAN load is averaged for {@code wan_link_peak_share}. */
    static final long LINK_WINDOW_MS = 10_000;
    /** A site whose WAN copies take more than this share of its link over a window is busy. */
    static final double BUSY_LINK_SHARE = 0.5;
    private final long segmentBits;
    private final int[] wanMbps;
    /** WAN copies by site and {@link #LINK_WINDOW_MS} window of the event. */
    private final int[][] windowCopies;
    long viewerSegments;
    long lateSegments;
    long neighbourSamples;
    long noNeighbourSamples;
    long sessions;
    long sessionsWithin2s;
    final LongSamples firstNeighbourMs = new LongSamples();
    long sessionsChannelWithin2s;
    final LongSamples firstChannelMs = new LongSamples();

    SimTally(Scenario sc, int[] wanMbps) {
        copies = new int[sc.sites()][(int) (sc.durationMs() / sc.segmentMs()) + 1];
        for (int[] site : copies) {
            java.util.Arrays.fill(site, -1);
        }
        this.segmentBits = sc.segmentBits();
        this.wanMbps = wanMbps;
        // Start fetches of a page opened late may fall a little after the end.
        this.windowCopies = new int[sc.sites()][(int) (sc.durationMs() / LINK_WINDOW_MS) + 2];
    }

    /** Segment {@code segment} spread in the site when it came out, at {@code atMs}. */
    void addSiteSegment(int site, int segment, long atMs, SegmentSpread.Outcome o) {
        siteSegments++;
        copies[site][segment] = o.wanCopies();
        windowCopies[site][window(atMs)] += o.wanCopies();
        wanCopies += o.wanCopies();
        wanBy[0] += o.primary();
        wanBy[1] += o.backup();
        wanBy[2] += o.noLeader();
        wanBy[3] += o.fallback();
        wanBy[4] += o.alone();
        viewerSegments += o.viewers();
        lateSegments += o.late();
    }

    /** A joiner's player got one of its start segments at {@code atMs}, over the WAN or from a neighbour. */
    void startSegment(int site, int segment, long atMs, boolean wan) {
        viewerSegments++;
        if (!wan) {
            return;
        }
        windowCopies[site][window(atMs)]++;
        wanCopies++;
        wanBy[5]++;
        if (copies[site][segment] < 0) {
            copies[site][segment] = 0; // nobody in the site played it when it came out
            siteSegments++;
        }
        copies[site][segment]++;
    }

    /**
     * One viewer's time in the mesh ended (or the event did). Sessions shorter than the 2 s window
     * that never got a neighbour are not counted: nobody could have said whether they would.
     */
    void session(long joinedAt, long firstNeighbourAt, long firstChannelAt, long endedAt) {
        boolean got = firstNeighbourAt >= 0;
        if (!got && endedAt - joinedAt < NEIGHBOUR_WITHIN_MS) {
            return;
        }
        sessions++;
        if (got) {
            firstNeighbourMs.add(firstNeighbourAt - joinedAt);
            if (firstNeighbourAt - joinedAt <= NEIGHBOUR_WITHIN_MS) {
                sessionsWithin2s++;
            }
        }
        // A channel counts once it opened while the session lasted.
        if (firstChannelAt >= 0 && firstChannelAt <= endedAt) {
            firstChannelMs.add(firstChannelAt - joinedAt);
            if (firstChannelAt - joinedAt <= NEIGHBOUR_WITHIN_MS) {
                sessionsChannelWithin2s++;
            }
        }
    }

    SimResult result(Scenario sc, LongSamples reelectionMs, double wallSeconds) {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int[] site : copies) {
            for (int c : site) {
                if (c >= 0) {
                    min = Math.min(min, c);
                    max = Math.max(max, c);
                }
            }
        }
        double peak = 0;
        int busySites = 0;
        for (int s = 0; s < windowCopies.length; s++) {
            double linkBits = wanMbps[s] * 1_000_000.0 * LINK_WINDOW_MS / 1000;
            double sitePeak = 0;
            for (int c : windowCopies[s]) {
                sitePeak = Math.max(sitePeak, c * segmentBits / linkBits);
            }
            peak = Math.max(peak, sitePeak);
            busySites += sitePeak > BUSY_LINK_SHARE ? 1 : 0;
        }
        return new SimResult(sc.viewers(), sc.sites(), sc.seed(), sc.durationMs() / 1000,
                ratio(wanCopies, siteSegments), siteSegments == 0 ? 0 : min, max, ratio(wanBy[0], siteSegments),
                ratio(wanBy[1], siteSegments), ratio(wanBy[2], siteSegments), ratio(wanBy[3], siteSegments), ratio(wanBy[4], siteSegments),
                ratio(wanBy[5], siteSegments), sc.startSegments(), peak, busySites,
                ratio(sessionsWithin2s, sessions), ratio(noNeighbourSamples, neighbourSamples),
                firstNeighbourMs.percentile(50), firstNeighbourMs.percentile(99),
                ratio(sessionsChannelWithin2s, sessions), firstChannelMs.percentile(50), firstChannelMs.percentile(99),
                sc.connectMedianMs(),
                reelectionMs.percentile(50), reelectionMs.percentile(99), reelectionMs.max(), reelectionMs.size(),
                joins == 0 ? 0 : joinCpuNs / 1000.0 / joins, heapPerViewerKib,
                1 - ratio(wanCopies, viewerSegments), ratio(lateSegments, viewerSegments),
                joins, rejoins, leaves, drops, resumes, leaderKills, wanOutages, siteSegments, outageSiteSegments,
                sc.firewalledShare(), pairingsFailed, wallSeconds);
    }

    private static int window(long atMs) {
        return (int) (atMs / LINK_WINDOW_MS);
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }
}
