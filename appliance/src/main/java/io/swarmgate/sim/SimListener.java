package io.swarmgate.sim;

import io.swarmgate.mesh.MeshListener;
import io.swarmgate.mesh.SiteLeaders;
import io.swarmgate.mesh.UnassignReason;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Stands where the signaling layer's {@code MeshEvents} stands: receives the coordinator's
 * events on its owning thread and records what the viewers would be told. The first
 * {@code neighbour} message a viewer receives gives its time to first neighbour; a
 * {@code leaders} change that drops a departed leader ends that leader's re-election time.
 * Messages reach viewers in the simulation the moment the coordinator emits them (signaling
 * latency is the signaling benchmark's subject, not this one's; the channel's set-up time below
 * includes its round trips). Each pairing's data channel opens after a set-up time drawn from
 * the scenario's log-normal, and not before both viewers' players started (the SDK's peer gate
 * holds a joiner's pairings until then); segments cross a pair only once its channel is open
 * ({@link SimChannels}). A pairing with a viewer whose firewall blocks WebRTC never opens and is
 * queued to fail when the SDK's connection timeout would end it.
 */
final class SimListener implements MeshListener {

    private final SimViewers viewers;
    private final SimClock clock;
    /** Per site: departed leaders still in its list, with when they went. */
    private final Map<String, Map<String, Long>> departedLeaders = new HashMap<>();
    final LongSamples reelectionMs = new LongSamples();
    /** Pairings that cannot connect, in the order they will be reported failing (times only grow). */
    final ArrayDeque<DoomedPairing> doomed = new ArrayDeque<>();
    /** Mixed into the event's seed for the channels' set-up times. */
    private static final long CONNECT_SEED_SALT = 0x5e7c0ffee1d5L;
    /** Open (or opening) data channels of the current pairs. */
    final SimChannels channels;
    /**
     * Set-up time draws, from a generator seeded apart from the event's: a split of the event's
     * generator would move the draws the event still makes while it runs (a re-join's delay), and
     * the same seed would no longer play the same event as with channels at once.
     */
    private final SplittableRandom connectTimes;
    private final Scenario scenario;
    long assignments;

    /** At {@code at}, {@code reporter} reports that its connection to {@code blocked} never opened. */
    record DoomedPairing(long at, String reporter, String blocked) {
    }

    SimListener(Scenario scenario, SimViewers viewers, SimClock clock) {
        this.scenario = scenario;
        this.viewers = viewers;
        this.clock = clock;
        // About eight neighbours per viewer, each pair once.
        this.channels = new SimChannels(viewers.count() * 4);
        this.connectTimes = new SplittableRandom(scenario.seed() ^ CONNECT_SEED_SALT);
    }

    @Override
    public void assigned(String peerId, String neighbourId, boolean youOffer) {
        assignments++;
        int v = SimViewers.indexOf(peerId);
        if (viewers.firstNeighbourAt[v] < 0) {
            viewers.firstNeighbourAt[v] = clock.elapsed();
        }
        int n = SimViewers.indexOf(neighbourId);
        if (!youOffer) {
            return; // once per pair: the offering side's message
        }
        if (!viewers.linkable(v, n)) {
            boolean neighbourBlocked = viewers.firewalled[n];
            doomed.add(new DoomedPairing(clock.elapsed() + Scenario.CONNECT_TIMEOUT_MS,
                    neighbourBlocked ? peerId : neighbourId, neighbourBlocked ? neighbourId : peerId));
            return;
        }
        long at = openAt(v, n);
        channels.open(v, n, at);
        for (int side : new int[] {v, n}) {
            if (viewers.firstChannelAt[side] < 0 || at < viewers.firstChannelAt[side]) {
                viewers.firstChannelAt[side] = at;
            }
        }
    }

    /** When a channel paired now opens: after both players started, plus the set-up time. */
    private long openAt(int v, int n) {
        long now = clock.elapsed();
        if (scenario.connectMedianMs() == 0) {
            return now;
        }
        long gate = Math.max(viewers.joinedAt[v], viewers.joinedAt[n]) + Scenario.PLAYER_START_MS;
        double setup = scenario.connectMedianMs() * Math.exp(Scenario.CONNECT_SIGMA * connectTimes.nextGaussian());
        return Math.max(now, gate) + Math.min(Scenario.CONNECT_TIMEOUT_MS, Math.round(setup));
    }

    @Override
    public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        // The neighbour graph itself is read from the coordinator when segments spread. Channels
        // are kept by viewer index: a viewer that left without bye and came back as a new peer
        // has the same index, so the old peer id's late separations must not close the new
        // peer's channels.
        int a = SimViewers.indexOf(peerId);
        int b = SimViewers.indexOf(neighbourId);
        if (peerId.equals(viewers.id(a)) && neighbourId.equals(viewers.id(b))) {
            channels.close(a, b);
        }
    }

    @Override
    public void leadersChanged(String streamId, String site, SiteLeaders leaders) {
        Map<String, Long> departed = departedLeaders.get(site);
        if (departed == null) {
            return;
        }
        for (Iterator<Map.Entry<String, Long>> it = departed.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (!leaders.site().contains(e.getKey())) {
                reelectionMs.add(clock.elapsed() - e.getValue());
                it.remove();
            }
        }
        if (departed.isEmpty()) {
            departedLeaders.remove(site);
        }
    }

    /** A leader of {@code site} stopped serving its site now (left, dropped, or lost its WAN). */
    void leaderDeparted(String site, String peerId) {
        departedLeaders.computeIfAbsent(site, s -> new HashMap<>()).put(peerId, clock.elapsed());
    }

    /** Leaders that departed and are still listed when the event ends, counted at their full wait. */
    void closeOpenDepartures() {
        for (Map<String, Long> departed : departedLeaders.values()) {
            for (long since : departed.values()) {
                reelectionMs.add(clock.elapsed() - since);
            }
        }
        departedLeaders.clear();
    }
}
