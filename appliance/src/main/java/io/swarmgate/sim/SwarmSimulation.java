package io.swarmgate.sim;

import io.swarmgate.config.ConfigKey;
import io.swarmgate.config.ConfigKeys;
import io.swarmgate.mesh.Coordinator;
import io.swarmgate.mesh.MeshTimings;
import io.swarmgate.mesh.SwarmRules;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Plays a {@link Scenario} on the real {@link Coordinator}, in this thread, on a simulated clock:
 * the calls the signaling layer makes ({@code ViewerLifecycle}: join on hello, leave on bye,
 * suspend when a socket drops, resume when it returns, the sweeper's expiry every second) with
 * the default stream rules, while {@link SegmentSpread} moves every live segment through the
 * neighbour graph and leader lists the coordinator produced. Nothing sleeps and no socket opens.
 */
public final class SwarmSimulation {

    private final Scenario sc;
    private final SimClock clock = new SimClock();
    private final SimViewers viewers;
    private final SimListener listener;
    private final Coordinator coordinator;
    private final EventScript script = new EventScript();
    private final SplittableRandom random;
    private final int[] wanMbps;
    private final boolean[] wanDown;
    private final int[] doomedFor;
    private final SegmentSpread spread;
    private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    private final SimTally tally;
    private final StartSegments starts;

    public SwarmSimulation(Scenario scenario) {
        this.sc = scenario;
        this.random = new SplittableRandom(scenario.seed());
        this.viewers = new SimViewers(scenario.viewers(), scenario.sites());
        this.listener = new SimListener(scenario, viewers, clock);
        // The appliance's own defaults: mesh.resume-grace-ms and the failing-pair block.
        ConfigKey<Integer> grace = ConfigKeys.MESH_RESUME_GRACE_MS;
        MeshTimings timings = new MeshTimings(Duration.ofMillis(grace.parse(grace.defaultValue(), "default")),
                MeshTimings.DEFAULT_FAILING_PAIR_BLOCK);
        this.coordinator = new Coordinator(stream -> SwarmRules.defaults(), listener, clock, timings, scenario.seed());
        this.wanMbps = script.build(scenario, viewers, random.split());
        this.wanDown = new boolean[scenario.sites()];
        this.doomedFor = new int[scenario.viewers()];
        java.util.Arrays.fill(doomedFor, -1);
        java.util.Arrays.fill(viewers.firstNeighbourAt, -1);
        java.util.Arrays.fill(viewers.firstChannelAt, -1);
        this.spread = new SegmentSpread(scenario, viewers, coordinator, listener.channels, random.split());
        this.tally = new SimTally(scenario, wanMbps);
        this.starts = new StartSegments(scenario, viewers, coordinator, listener.channels, script, tally, wanMbps);
        // Drawn last, from their own stream, and only when asked for: an event without firewalls
        // plays as it did before they existed (a split advances the parent stream).
        if (scenario.firewalledShare() > 0) {
            SplittableRandom firewalls = random.split();
            for (int v = 0; v < scenario.viewers(); v++) {
                viewers.firewalled[v] = firewalls.nextDouble() < scenario.firewalledShare();
            }
        }
    }

    /** Runs the event to its end; {@code progress} hears one line per simulated minute. */
    public SimResult run(Consumer<String> progress) {
        long heapBefore = usedHeapAfterGc();
        long wallStart = System.nanoTime();
        long nextReport = 60_000;
        EventScript.Event e;
        while ((e = script.next()) != null) {
            clock.moveTo(e.at());
            failDoomedPairings(e.at());
            if (e.at() >= nextReport) {
                progress.accept(String.format("simulate: %d min of %d, %d viewers connected, %.1f s", e.at() / 60_000,
                        sc.durationMs() / 60_000, coordinator.peerCount(), (System.nanoTime() - wallStart) / 1e9));
                nextReport += 60_000;
            }
            switch (e.kind()) {
                case JOIN -> {
                    if (join(e.subject())) {
                        starts.begin(e.subject(), e.at()); // a page that opens: its player starts
                    }
                }
                case START_SEGMENT -> starts.due(e.subject(), e.at());
                case LEAVE -> depart(e.subject(), false);
                case DROP -> depart(e.subject(), true);
                case VANISH -> {
                    depart(e.subject(), doomedFor[e.subject()] <= -2);
                    doomedFor[e.subject()] = -1;
                }
                case SEGMENT -> segment(e.subject());
                case SWEEP -> sweep();
                case PICK_DOOMED_LEADERS -> pickDoomedLeader(e.subject());
                case WAN_DOWN -> wanDown(e.subject());
                case WAN_UP -> wanUp(e.subject());
                case HEAP_PROBE -> tally.heapPerViewerKib =
                        (usedHeapAfterGc() - heapBefore) / 1024.0 / Math.max(1, coordinator.peerCount());
            }
        }
        for (int v = 0; v < viewers.count(); v++) {
            if (viewers.state[v] == SimViewers.PRESENT || viewers.state[v] == SimViewers.SUSPENDED) {
                endSession(v);
            }
        }
        listener.closeOpenDepartures();
        return tally.result(sc, listener.reelectionMs, (System.nanoTime() - wallStart) / 1e9);
    }

    /** The viewer joins the mesh; false when it is there already or its WAN is down (it tries again later). */
    private boolean join(int v) {
        byte state = viewers.state[v];
        if (state == SimViewers.PRESENT || state == SimViewers.SUSPENDED) {
            return false;
        }
        if (wanDown[viewers.site[v]]) {
            script.add(clock.elapsed() + 1_000 + random.nextInt(4_000), EventScript.Kind.JOIN, v); // cannot reach us yet
            return false;
        }
        if (viewers.joinedBefore[v]) {
            tally.rejoins++;
        }
        viewers.nextGeneration(v, !viewers.joinedBefore[v]);
        viewers.joinedBefore[v] = true;
        viewers.state[v] = SimViewers.PRESENT;
        viewers.joinedAt[v] = clock.elapsed();
        viewers.firstNeighbourAt[v] = -1;
        viewers.firstChannelAt[v] = -1;
        viewers.connect(v);
        long before = cpu.getCurrentThreadCpuTime();
        coordinator.join(viewers.info(v));
        tally.joinCpuNs += cpu.getCurrentThreadCpuTime() - before;
        tally.joins++;
        return true;
    }

    /** The viewer leaves: with {@code bye}, or its socket just dies (abrupt) and it never returns. */
    private void depart(int v, boolean abrupt) {
        if (viewers.state[v] != SimViewers.PRESENT) {
            return; // already gone, or cut off by its WAN (it will not come back from there either)
        }
        endSession(v);
        String id = viewers.id(v);
        noteIfLeader(v, id);
        viewers.disconnect(v);
        if (abrupt) {
            viewers.state[v] = SimViewers.DROPPED;
            coordinator.suspend(id);
            tally.drops++;
        } else {
            viewers.state[v] = SimViewers.ABSENT;
            coordinator.leave(id);
            tally.leaves++;
        }
    }

    private void sweep() {
        coordinator.endPairingPauses(); // as ViewerLifecycle's sweep does
        for (String id : coordinator.expireSuspended()) {
            int v = SimViewers.indexOf(id);
            if (viewers.id(v).equals(id) && viewers.state[v] == SimViewers.DROPPED) {
                viewers.state[v] = SimViewers.ABSENT;
            }
        }
    }

    private void segment(int n) {
        String segmentId = "seg-" + n;
        long t0 = clock.elapsed();
        boolean sampleNeighbours = n % 15 == 0;
        for (int s = 0; s < sc.sites(); s++) {
            if (wanDown[s]) {
                tally.outageSiteSegments++; // nobody there can fetch it: the outage's cost, not the mesh's
                continue;
            }
            if (viewers.connectedCount(s) == 0) {
                continue;
            }
            List<String> leaders = coordinator.leaders(SimViewers.STREAM, viewers.siteNames[s]);
            SegmentSpread.Outcome o = spread.spread(segmentId, t0, s, leaders, wanMbps[s], doomedIn(s, n));
            tally.addSiteSegment(s, n, t0, o);
            if (sampleNeighbours) {
                int[] members = viewers.connected(s);
                for (int i = 0; i < viewers.connectedCount(s); i++) {
                    tally.neighbourSamples++;
                    if (coordinator.neighbours(viewers.id(members[i])).isEmpty()) {
                        tally.noNeighbourSamples++;
                    }
                }
            }
        }
    }

    /**
     * Pairings with a firewalled viewer whose connection timeout has passed are reported failing,
     * as the SDK reports them; after its second failure the viewer is known to reach nobody (the
     * SDK's report says no channel is open), as {@code ConnectReports} decides.
     */
    private void failDoomedPairings(long now) {
        while (!listener.doomed.isEmpty() && listener.doomed.peek().at() <= now) {
            SimListener.DoomedPairing d = listener.doomed.poll();
            if (!coordinator.isNeighbour(d.reporter(), d.blocked())) {
                continue; // separated meanwhile (a departure, or the other side's report)
            }
            coordinator.reportFailing(d.reporter(), d.blocked());
            tally.pairingsFailed++;
            int blocked = SimViewers.indexOf(d.blocked());
            if (++viewers.connectFailures[blocked] == Scenario.FAILURES_TO_UNREACHABLE) {
                coordinator.reachable(d.blocked(), false);
            }
        }
    }

    /** Chooses a random site and makes the primary leader of segment {@code n} vanish 500 ms into its fetch. */
    private void pickDoomedLeader(int n) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int s = random.nextInt(sc.sites());
            if (wanDown[s] || viewers.connectedCount(s) < 2) {
                continue;
            }
            List<String> ranked = LeaderOrder.rank("seg-" + n,
                    coordinator.leaders(SimViewers.STREAM, viewers.siteNames[s]));
            if (ranked.isEmpty()) {
                continue;
            }
            int v = SimViewers.indexOf(ranked.get(0));
            if (viewers.state[v] != SimViewers.PRESENT) {
                continue;
            }
            // Half close the tab (bye), half lose the machine (the socket just dies).
            doomedFor[v] = random.nextBoolean() ? n : -2 - n;
            script.add((long) n * sc.segmentMs() + 500, EventScript.Kind.VANISH, v);
            tally.leaderKills++;
            return;
        }
    }

    private int doomedIn(int s, int n) {
        int[] members = viewers.connected(s);
        for (int i = 0; i < viewers.connectedCount(s); i++) {
            int d = doomedFor[members[i]];
            if (d == n || d == -2 - n) {
                return members[i];
            }
        }
        return -1;
    }

    /** The site's WAN goes down: every socket of it drops (the appliance is across the WAN). */
    private void wanDown(int s) {
        wanDown[s] = true;
        int[] members = viewers.connected(s);
        for (int i = viewers.connectedCount(s) - 1; i >= 0; i--) {
            int v = members[i];
            String id = viewers.id(v);
            // Not a leader departure: the whole site is cut off, no other viewer of it could lead.
            viewers.disconnect(v);
            viewers.state[v] = SimViewers.SUSPENDED;
            coordinator.suspend(id);
        }
        tally.wanOutages++;
    }

    /** The link is back: every cut-off viewer resumes, or joins again if its grace has passed. */
    private void wanUp(int s) {
        wanDown[s] = false;
        List<Integer> back = new ArrayList<>();
        for (int v = 0; v < viewers.count(); v++) {
            if (viewers.site[v] == s && viewers.state[v] == SimViewers.SUSPENDED) {
                back.add(v);
            }
        }
        for (int v : back) {
            if (coordinator.resume(viewers.id(v))) {
                viewers.state[v] = SimViewers.PRESENT;
                viewers.connect(v);
                tally.resumes++;
            } else {
                endSession(v);
                viewers.state[v] = SimViewers.ABSENT;
                join(v); // the page kept its player: no start segments
            }
        }
    }

    private void noteIfLeader(int v, String id) {
        String site = viewers.siteNames[viewers.site[v]];
        if (coordinator.leaders(SimViewers.STREAM, site).contains(id)) {
            listener.leaderDeparted(site, id);
        }
    }

    private void endSession(int v) {
        tally.session(viewers.joinedAt[v], viewers.firstNeighbourAt[v], viewers.firstChannelAt[v], clock.elapsed());
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
