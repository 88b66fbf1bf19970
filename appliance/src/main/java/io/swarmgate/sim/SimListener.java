package io.swarmgate.sim;

import io.swarmgate.mesh.MeshListener;
import io.swarmgate.mesh.SiteLeaders;
import io.swarmgate.mesh.UnassignReason;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Stands where the signaling layer's {@code MeshEvents} stands: receives the coordinator's
 * events on its owning thread and records what the viewers would be told. The first
 * {@code neighbour} message a viewer receives gives its time to first neighbour; a
 * {@code leaders} change that drops a departed leader ends that leader's re-election time.
 * Messages reach viewers in the simulation the moment the coordinator emits them (signaling
 * latency is the signaling benchmark's subject, not this one's). A pairing with a viewer whose
 * firewall blocks WebRTC is queued to fail when the SDK's connection timeout would end it.
 */
final class SimListener implements MeshListener {

    private final SimViewers viewers;
    private final SimClock clock;
    /** Per site: departed leaders still in its list, with when they went. */
    private final Map<String, Map<String, Long>> departedLeaders = new HashMap<>();
    final LongSamples reelectionMs = new LongSamples();
    /** Pairings that cannot connect, in the order they will be reported failing (times only grow). */
    final ArrayDeque<DoomedPairing> doomed = new ArrayDeque<>();
    long assignments;

    /** At {@code at}, {@code reporter} reports that its connection to {@code blocked} never opened. */
    record DoomedPairing(long at, String reporter, String blocked) {
    }

    SimListener(SimViewers viewers, SimClock clock) {
        this.viewers = viewers;
        this.clock = clock;
    }

    @Override
    public void assigned(String peerId, String neighbourId, boolean youOffer) {
        assignments++;
        int v = SimViewers.indexOf(peerId);
        if (viewers.firstNeighbourAt[v] < 0) {
            viewers.firstNeighbourAt[v] = clock.elapsed();
        }
        int n = SimViewers.indexOf(neighbourId);
        if (youOffer && !viewers.linkable(v, n)) { // once per pair: the offering side's message
            boolean neighbourBlocked = viewers.firewalled[n];
            doomed.add(new DoomedPairing(clock.elapsed() + Scenario.CONNECT_TIMEOUT_MS,
                    neighbourBlocked ? peerId : neighbourId, neighbourBlocked ? neighbourId : peerId));
        }
    }

    @Override
    public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        // Nothing to count: the neighbour graph is read from the coordinator when segments spread.
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
