package io.swarmgate.sim;

import io.swarmgate.mesh.Coordinator;

/**
 * A joining viewer's first segments: the live window its player starts in, published before it
 * joined and so not part of any {@link SegmentSpread} it takes part in. The player starts
 * {@link Scenario#startSegments()} segments behind the live edge and asks for them one after
 * another, each {@link Scenario#START_SEGMENT_GAP_MS} after the one before arrived, and plays
 * {@link Scenario#PLAYER_START_MS} after joining. Each ask follows the SDK's rules
 * (sdk/src/core/scheduler.js):
 * <ul>
 *   <li>the media the player holds ahead of it (the start segments before it, less what played)
 *       less the 1.5 s safety margin and the expected HTTP time is its slack; with none (the first
 *       segment always) it goes to the WAN at once unless a channel to a neighbour holding it is
 *       open ({@code urgentPlan}; with none open, {@code alone});</li>
 *   <li>with slack, and neighbours given by the appliance (connecting, or held by the peer gate),
 *       it waits for them up to the slack and at most 1.5 s from the ask
 *       ({@code CONNECTING_WAIT_MS}), and comes over the LAN as soon as a channel to one that
 *       holds it opens; else over the WAN when the wait ends.</li>
 * </ul>
 * A neighbour holds a start segment when it was connected when the segment came out (the spread
 * reached it), not when it is itself still loading its own start. Every site's link is 20 Mb/s or
 * more, above the SDK's congested threshold (8 Mb/s per transfer), so the peer gate holds a
 * joiner's pairings until its player plays and no channel of its opens before that. A start fetch
 * does not share the site's link with the spread's fetches.
 */
final class StartSegments {

    /** The longest a start segment with slack waits for connecting neighbours (scheduler.js, CONNECTING_WAIT_MS). */
    static final long CONNECTING_WAIT_MS = 1_500;

    private final Scenario sc;
    private final SimViewers viewers;
    private final Coordinator coordinator;
    private final SimChannels channels;
    private final EventScript script;
    private final SimTally tally;
    private final int[] wanMbps;
    /**
     * Per viewer: when its page joined, its first start segment, the next one it asks for, how many
     * are left, when that ask is due and when its wait for neighbours ends (-1: not waiting).
     */
    private final long[] startedAt;
    private final int[] first;
    private final int[] next;
    private final int[] left;
    private final long[] askAt;
    private final long[] decideAt;

    StartSegments(Scenario sc, SimViewers viewers, Coordinator coordinator, SimChannels channels, EventScript script,
                  SimTally tally, int[] wanMbps) {
        this.sc = sc;
        this.viewers = viewers;
        this.coordinator = coordinator;
        this.channels = channels;
        this.script = script;
        this.tally = tally;
        this.wanMbps = wanMbps;
        this.startedAt = new long[viewers.count()];
        this.first = new int[viewers.count()];
        this.next = new int[viewers.count()];
        this.left = new int[viewers.count()];
        this.askAt = new long[viewers.count()];
        this.decideAt = new long[viewers.count()];
    }

    /** The viewer's page just joined and its player starts: it asks for the live window's last segments. */
    void begin(int v, long now) {
        // Segment n comes out at n × segmentMs, from 1 until the event ends; a page opened after
        // the end finds nothing to play.
        int edge = now < sc.durationMs() ? (int) (now / sc.segmentMs()) : 0;
        first[v] = Math.max(1, edge - sc.startSegments() + 1);
        next[v] = first[v];
        left[v] = Math.max(0, edge - first[v] + 1);
        startedAt[v] = now;
        decideAt[v] = -1;
        if (left[v] > 0) {
            ask(v, now);
        }
    }

    /**
     * The viewer's event at {@code now}: the player's ask, or the end of the wait for neighbours that
     * ask began. A stale one (the viewer left or joined again since) does nothing.
     */
    void due(int v, long now) {
        if (left[v] == 0 || viewers.state[v] != SimViewers.PRESENT) {
            return;
        }
        if (now == decideAt[v]) {
            decide(v, now);
        } else if (now == askAt[v]) {
            // Over when the wait ends, or when a channel to a colleague holding it opens.
            long until = Math.min(now + waitMs(v, now), firstHolderOpen(v, next[v], Long.MAX_VALUE - 1));
            if (until > now) {
                decideAt[v] = until;
                script.add(until, EventScript.Kind.START_SEGMENT, v);
            } else {
                decide(v, now);
            }
        }
    }

    /** How long the ask at {@code now} may wait for neighbours: its slack, 1.5 s at most, 0 without neighbours. */
    private long waitMs(int v, long now) {
        int k = next[v] - first[v];
        long played = Math.max(0, now - startedAt[v] - Scenario.PLAYER_START_MS);
        long slack = (long) k * sc.segmentMs() - played - SegmentSpread.SAFETY_MARGIN_MS - wanMs(v);
        if (slack <= 0 || coordinator.neighbours(viewers.id(v)).isEmpty()) {
            return 0;
        }
        return Math.min(slack, CONNECTING_WAIT_MS);
    }

    /** The segment comes from the first neighbour holding it whose channel opened by now, else over the WAN. */
    private void decide(int v, long now) {
        int segment = next[v]++;
        left[v]--;
        decideAt[v] = -1;
        long opened = firstHolderOpen(v, segment, now);
        boolean lan = opened != SimChannels.NONE;
        long arrives = lan
                ? Math.max(now, Math.max(askAt[v], opened) + sc.lanHopMs())
                : now + wanMs(v);
        tally.startSegment(viewers.site[v], segment, lan ? arrives : now, !lan);
        if (left[v] > 0) {
            ask(v, arrives + Scenario.START_SEGMENT_GAP_MS);
        }
    }

    private void ask(int v, long at) {
        askAt[v] = at;
        script.add(at, EventScript.Kind.START_SEGMENT, v);
    }

    private long wanMs(int v) {
        return sc.wanFetchMs(wanMbps[viewers.site[v]]);
    }

    /**
     * When the first channel to a present neighbour that was connected when the segment came out
     * opened (or opens), if it does by {@code now}; {@link SimChannels#NONE} otherwise.
     */
    private long firstHolderOpen(int v, int segment, long now) {
        long published = (long) segment * sc.segmentMs();
        long first = SimChannels.NONE;
        for (String id : coordinator.neighbours(viewers.id(v))) {
            int m = SimViewers.indexOf(id);
            long open = channels.openAt(v, m);
            if (viewers.state[m] == SimViewers.PRESENT && viewers.joinedAt[m] < published && open <= now) {
                first = Math.min(first, open);
            }
        }
        return first;
    }
}
