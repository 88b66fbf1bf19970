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
    final long[] wanBy = new long[5];
    int wanCopiesMax;
    int wanCopiesMin = Integer.MAX_VALUE;
    long viewerSegments;
    long lateSegments;
    long neighbourSamples;
    long noNeighbourSamples;
    long sessions;
    long sessionsWithin2s;
    final LongSamples firstNeighbourMs = new LongSamples();
    long sessionsChannelWithin2s;
    final LongSamples firstChannelMs = new LongSamples();

    void addSiteSegment(SegmentSpread.Outcome o) {
        siteSegments++;
        wanCopies += o.wanCopies();
        wanBy[0] += o.primary();
        wanBy[1] += o.backup();
        wanBy[2] += o.noLeader();
        wanBy[3] += o.fallback();
        wanBy[4] += o.alone();
        wanCopiesMax = Math.max(wanCopiesMax, o.wanCopies());
        wanCopiesMin = Math.min(wanCopiesMin, o.wanCopies());
        viewerSegments += o.viewers();
        lateSegments += o.late();
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
        return new SimResult(sc.viewers(), sc.sites(), sc.seed(), sc.durationMs() / 1000,
                ratio(wanCopies, siteSegments), siteSegments == 0 ? 0 : wanCopiesMin, wanCopiesMax, ratio(wanBy[0], siteSegments),
                ratio(wanBy[1], siteSegments), ratio(wanBy[2], siteSegments), ratio(wanBy[3], siteSegments), ratio(wanBy[4], siteSegments),
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

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }
}
