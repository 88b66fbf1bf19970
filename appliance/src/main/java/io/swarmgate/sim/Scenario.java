package io.swarmgate.sim;

/**
 * The scripted event a simulation plays: who joins when, who leaves, which leaders vanish
 * mid-segment, which sites' WAN links flap, and the media and network figures segments spread
 * with. {@link #of} gives the standard event for a size; the other fields have named defaults.
 *
 * @param viewers             distinct viewers (each may leave and come back)
 * @param sites               offices; viewers are spread over them unevenly (log-normal weights)
 * @param seed                everything random derives from it: same seed, same result
 * @param durationMs          length of the event
 * @param rampMs              the early window in which {@code rampShare} of the viewers join
 * @param rampShare           share of viewers joining within {@code rampMs}; the rest join later,
 *                            until 80 % of the event has passed
 * @param churnShare          share of viewers that leave before the end
 * @param rejoinShare         share of those leavers that come back (as a new viewer) after 5–60 s
 * @param abruptShare         share of departures without {@code bye} (tab killed, laptop lid
 *                            closed): the coordinator holds them for the resume grace
 * @param segmentMs           live segment duration
 * @param bitrateKbps         the rendition every viewer plays
 * @param lanMbps             one data-channel transfer's rate on the LAN
 * @param lanRttMs            round trip of a request between neighbours
 * @param wanRttMs            round trip to the origin over the WAN
 * @param bufferMs            how far ahead of playback a viewer lists a new live segment
 * @param leaderKillsPerMin   sites per simulated minute whose primary leader for the next segment
 *                            leaves 500 ms into its fetch
 * @param flappingSites       sites whose WAN link goes down three times for {@link #FLAP_DOWN_MS}
 * @param firewalledShare     share of viewers whose endpoint firewall blocks WebRTC: every pairing
 *                            with one fails after {@link #CONNECT_TIMEOUT_MS} and is reported, as
 *                            the SDK does, and it neither serves nor receives segments over the LAN
 * @param connectMedianMs     median time from the coordinator pairing two viewers to their data
 *                            channel opening (signaling round trips, ICE, DTLS, SCTP), log-normal
 *                            with {@link #CONNECT_SIGMA}; a joining viewer's pairings also wait for
 *                            its player's start, {@link #PLAYER_START_MS} (the SDK's peer gate).
 *                            0: channels open the moment the coordinator pairs, with no wait
 * @param startSegments       segments behind the live edge a joining viewer's player starts at and
 *                            asks for one after another before it follows new ones (hls.js's
 *                            default live sync position: 3); 0 leaves them out
 */
public record Scenario(int viewers, int sites, long seed, long durationMs, long rampMs, double rampShare,
                       double churnShare, double rejoinShare, double abruptShare, int segmentMs, int bitrateKbps,
                       int lanMbps, int lanRttMs, int wanRttMs, int bufferMs, int leaderKillsPerMin,
                       int flappingSites, double firewalledShare, int connectMedianMs,
                       int startSegments) {

    public static final long DEFAULT_DURATION_MS = 15 * 60_000L;
    public static final long DEFAULT_RAMP_MS = 5 * 60_000L;
    public static final double DEFAULT_RAMP_SHARE = 0.8;
    public static final double DEFAULT_CHURN_SHARE = 0.10;
    public static final double DEFAULT_REJOIN_SHARE = 0.5;
    public static final double DEFAULT_ABRUPT_SHARE = 0.25;
    public static final int DEFAULT_SEGMENT_MS = 2_000;
    public static final int DEFAULT_BITRATE_KBPS = 3_000;
    /** A data channel here moves 10–30 MB/s (architecture.md rig facts); the low end. */
    public static final int DEFAULT_LAN_MBPS = 80;
    public static final int DEFAULT_LAN_RTT_MS = 5;
    public static final int DEFAULT_WAN_RTT_MS = 40;
    /** hls.js plays three segments behind the live edge: a new segment is needed 6 s after it is listed. */
    public static final int DEFAULT_BUFFER_MS = 3 * DEFAULT_SEGMENT_MS;
    /** Per-site WAN link speeds (Mb/s), one drawn per site: branch offices to headquarters. */
    static final int[] WAN_MBPS = {20, 50, 100, 200, 1_000};
    static final long FLAP_START_MS = 7 * 60_000L;
    static final long FLAP_DOWN_MS = 8_000;
    static final long FLAP_UP_MS = 30_000;
    static final int FLAPS = 3;
    /** The SDK gives up on a peer connection that has not opened in this long and reports it failing. */
    static final long CONNECT_TIMEOUT_MS = 5_000;
    /** A viewer is known to reach nobody after this many failed pairings (ConnectReports' rule). */
    static final int FAILURES_TO_UNREACHABLE = 2;
    /**
     * Pairing to open channel, median: on the fleet's Chromium viewers (one LAN, the appliance's
     * STUN responder) the first channel opened 0.3 s after the gate released it on a quiet machine
     * and 1.5 s on a loaded one (docs/benchmarks.md, "Start-up phases": first_peer − peers_released).
     */
    public static final int DEFAULT_CONNECT_MEDIAN_MS = 500;
    /** The log-normal's σ: p99 about five times the median. */
    static final double CONNECT_SIGMA = 0.7;
    /** A joining viewer's first playing, when the SDK's peer gate lets its pairings connect (fleet start-up p50 0.8–1.5 s). */
    static final long PLAYER_START_MS = 1_000;
    /** hls.js starts a live stream three target durations behind the edge: three segments to load. */
    public static final int DEFAULT_START_SEGMENTS = 3;
    /**
     * From one start segment's arrival to the player's ask for the next (hls.js transmuxes and
     * appends it first): the fleet's first fragment loaded → playing, 176 ms on a quiet machine.
     */
    static final long START_SEGMENT_GAP_MS = 150;

    public Scenario {
        require(viewers >= 1 && viewers <= 2_000_000, "--viewers must be 1..2000000 but was " + viewers);
        require(sites >= 1 && sites <= viewers, "--sites must be 1..viewers (" + viewers + ") but was " + sites);
        require(durationMs >= 60_000 && durationMs <= 4 * 3_600_000L,
                "--duration must be 60..14400 seconds but was " + durationMs / 1000);
        require(rampMs > 0 && rampMs <= durationMs, "the ramp must fit in the event");
        require(segmentMs >= 500 && bufferMs >= segmentMs, "segments of at least 500 ms and a buffer of at least one");
        require(flappingSites >= 0 && flappingSites <= sites, "flapping sites must be 0..sites");
        require(firewalledShare >= 0 && firewalledShare <= 0.5,
                "--firewalled must be a share of the viewers from 0 to 0.5 but was " + firewalledShare);
        require(connectMedianMs >= 0 && connectMedianMs <= CONNECT_TIMEOUT_MS,
                "--connect-ms must be 0.." + CONNECT_TIMEOUT_MS + " but was " + connectMedianMs);
        require(startSegments >= 0 && startSegments <= 10,
                "--start-segments must be 0..10 but was " + startSegments);
    }

    /** The standard event for this size: 80 % join in the first 5 minutes, 10 % churn, leaders lost, a WAN flapping. */
    public static Scenario of(int viewers, int sites, long seed, long durationMs) {
        long ramp = Math.min(DEFAULT_RAMP_MS, durationMs / 3);
        return new Scenario(viewers, sites, seed, durationMs, ramp, DEFAULT_RAMP_SHARE, DEFAULT_CHURN_SHARE,
                DEFAULT_REJOIN_SHARE, DEFAULT_ABRUPT_SHARE, DEFAULT_SEGMENT_MS, DEFAULT_BITRATE_KBPS, DEFAULT_LAN_MBPS,
                DEFAULT_LAN_RTT_MS, DEFAULT_WAN_RTT_MS, DEFAULT_BUFFER_MS, Math.max(1, sites / 50),
                Math.max(1, sites / 100), 0, DEFAULT_CONNECT_MEDIAN_MS, DEFAULT_START_SEGMENTS);
    }

    /** The same event with this share of its viewers behind a firewall that blocks WebRTC. */
    public Scenario withFirewalled(double share) {
        return new Scenario(viewers, sites, seed, durationMs, rampMs, rampShare, churnShare, rejoinShare, abruptShare,
                segmentMs, bitrateKbps, lanMbps, lanRttMs, wanRttMs, bufferMs, leaderKillsPerMin, flappingSites, share,
                connectMedianMs, startSegments);
    }

    /** The same event with this median time from pairing to open channel (0: at once). */
    public Scenario withConnectMedianMs(int ms) {
        return new Scenario(viewers, sites, seed, durationMs, rampMs, rampShare, churnShare, rejoinShare, abruptShare,
                segmentMs, bitrateKbps, lanMbps, lanRttMs, wanRttMs, bufferMs, leaderKillsPerMin, flappingSites,
                firewalledShare, ms, startSegments);
    }

    /** The same event with joiners' players starting this many segments behind the live edge (0: not counted). */
    public Scenario withStartSegments(int segments) {
        return new Scenario(viewers, sites, seed, durationMs, rampMs, rampShare, churnShare, rejoinShare, abruptShare,
                segmentMs, bitrateKbps, lanMbps, lanRttMs, wanRttMs, bufferMs, leaderKillsPerMin, flappingSites,
                firewalledShare, connectMedianMs, segments);
    }

    /** One segment's size in bits. */
    long segmentBits() {
        return (long) bitrateKbps * segmentMs;
    }

    /** One segment over a site's WAN link of {@code wanMbps} with no other fetch on it: round trip and transfer. */
    long wanFetchMs(int wanMbps) {
        return wanRttMs + segmentBits() / (wanMbps * 1_000L);
    }

    /** One segment from a neighbour over a data channel: round trip and transfer at the LAN rate. */
    long lanHopMs() {
        return lanRttMs + segmentBits() / (lanMbps * 1_000L);
    }

    /** When the first WAN outage starts: inside the event, after the ramp where it fits. */
    long flapStartMs() {
        return Math.min(FLAP_START_MS, durationMs / 2);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
