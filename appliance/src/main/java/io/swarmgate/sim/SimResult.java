package io.swarmgate.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code swarmgate simulate} reports (docs/scaling.md explains each key).
 *
 * @param wanCopiesPerSegmentPerSite    mean WAN fetches of one segment in one site (1 is ideal)
 * @param wanCopiesPerSegmentPerSiteMin the best site-segment: below 1 a site would have played a segment nobody fetched
 * @param wanCopiesPerSegmentPerSiteMax the worst site-segment
 * @param wanByPrimary                  of those, per site-segment: the primary leader's fetch
 * @param wanByBackup                   the backup leader's, when nobody it is connected to had the segment in time
 * @param wanByNoLeader                 viewers' own, because their site had no leader
 * @param wanByFallback                 viewers' own, because the segment did not reach them by their deadline
 * @param wanByAlone                    firewalled viewers' own, fetched as soon as listed: no channel could bring it
 * @param wanByStart                    joiners' own, of the live window their players started in, asked for
 *                                      before a channel to a neighbour holding it was open
 * @param startSegments                 the scenario's segments behind the live edge a joiner's player starts at
 * @param wanLinkPeakShare              the largest share of a site's link its WAN copies took over a 10 s window
 * @param wanLinkBusySites              sites whose WAN copies took more than half their link over some 10 s window
 * @param neighbourWithin2s             share of viewer sessions whose first neighbour came within 2 s of joining
 * @param noNeighbourShare              share of connected viewers without any neighbour, sampled every 30 s
 * @param channelWithin2s               share of viewer sessions whose first data channel opened within 2 s of joining
 * @param firstChannelP50Ms             time from joining to the first open data channel (sessions that had one)
 * @param connectMedianMs               the scenario's median pairing-to-channel set-up time
 * @param leaderReelectionP50Ms         from a leader leaving (bye, dropped socket, lost WAN) until its
 *                                      site's leader list no longer names it
 * @param joinCpuUs                     coordinator CPU per join, events to the listener included
 * @param heapPerViewerKib              heap growth per viewer held by the coordinator once all have joined
 * @param offload                       share of viewer-segments that did not cross the WAN
 * @param lateShare                     share of viewer-segments that arrived after the viewer's buffer ran out
 * @param firewalledShare               the scenario's share of viewers whose firewall blocks WebRTC
 * @param pairingsFailedConnect         pairings reported failing because one side blocks WebRTC
 */
public record SimResult(int viewers, int sites, long seed, long durationS, double wanCopiesPerSegmentPerSite,
                        int wanCopiesPerSegmentPerSiteMin, int wanCopiesPerSegmentPerSiteMax, double wanByPrimary, double wanByBackup,
                        double wanByNoLeader, double wanByFallback, double wanByAlone, double wanByStart,
                        int startSegments, double wanLinkPeakShare, int wanLinkBusySites, double neighbourWithin2s, double noNeighbourShare,
                        long firstNeighbourP50Ms, long firstNeighbourP99Ms, double channelWithin2s, long firstChannelP50Ms,
                        long firstChannelP99Ms, int connectMedianMs, long leaderReelectionP50Ms,
                        long leaderReelectionP99Ms, long leaderReelectionMaxMs, int leaderDepartures, double joinCpuUs,
                        double heapPerViewerKib, double offload, double lateShare, long joins, long rejoins, long leaves,
                        long drops, long resumes, long leaderKills, long wanOutages, long siteSegments,
                        long outageSiteSegments, double firewalledShare, long pairingsFailedConnect,
                        double wallSeconds) {

    /** The JSON line's fields, in a stable order with stable names. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("viewers", viewers);
        m.put("sites", sites);
        m.put("seed", seed);
        m.put("duration_s", durationS);
        m.put("wan_copies_per_segment_per_site", round(wanCopiesPerSegmentPerSite, 4));
        m.put("wan_copies_per_segment_per_site_min", wanCopiesPerSegmentPerSiteMin);
        m.put("wan_copies_per_segment_per_site_max", wanCopiesPerSegmentPerSiteMax);
        m.put("wan_copies_primary", round(wanByPrimary, 4));
        m.put("wan_copies_backup", round(wanByBackup, 4));
        m.put("wan_copies_no_leader", round(wanByNoLeader, 4));
        m.put("wan_copies_fallback", round(wanByFallback, 4));
        m.put("wan_copies_alone", round(wanByAlone, 4));
        m.put("wan_copies_start", round(wanByStart, 4));
        m.put("start_segments", startSegments);
        m.put("wan_link_peak_share", round(wanLinkPeakShare, 3));
        m.put("wan_link_busy_sites", wanLinkBusySites);
        m.put("neighbour_within_2s", round(neighbourWithin2s, 4));
        m.put("no_neighbour_share", round(noNeighbourShare, 4));
        m.put("first_neighbour_p50_ms", firstNeighbourP50Ms);
        m.put("first_neighbour_p99_ms", firstNeighbourP99Ms);
        m.put("channel_within_2s", round(channelWithin2s, 4));
        m.put("first_channel_p50_ms", firstChannelP50Ms);
        m.put("first_channel_p99_ms", firstChannelP99Ms);
        m.put("connect_median_ms", connectMedianMs);
        m.put("leader_reelection_p50_ms", leaderReelectionP50Ms);
        m.put("leader_reelection_p99_ms", leaderReelectionP99Ms);
        m.put("leader_reelection_max_ms", leaderReelectionMaxMs);
        m.put("leader_departures", leaderDepartures);
        m.put("join_cpu_us", round(joinCpuUs, 1));
        m.put("heap_per_viewer_kib", round(heapPerViewerKib, 2));
        m.put("offload", round(offload, 4));
        m.put("late_share", round(lateShare, 5));
        m.put("joins", joins);
        m.put("rejoins", rejoins);
        m.put("leaves", leaves);
        m.put("drops", drops);
        m.put("resumes", resumes);
        m.put("leader_kills", leaderKills);
        m.put("wan_outages", wanOutages);
        m.put("site_segments", siteSegments);
        m.put("outage_site_segments", outageSiteSegments);
        m.put("firewalled", firewalledShare);
        m.put("pairings_failed_connect", pairingsFailedConnect);
        m.put("wall_s", round(wallSeconds, 1));
        return m;
    }

    private static double round(double value, int places) {
        return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_EVEN).doubleValue();
    }
}
