package io.swarmgate.sim;

import io.swarmgate.mesh.NetworkType;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The timeline of a {@link Scenario}: draws every viewer's site, link and upload offer, and
 * queues its join, its departure and return (for the churning share), every segment, the resume
 * sweeper's ticks, the leader losses and the WAN outages. Same seed, same timeline.
 */
final class EventScript {

    enum Kind {
        JOIN, LEAVE, DROP, SEGMENT, START_SEGMENT, SWEEP, PICK_DOOMED_LEADERS, VANISH, WAN_DOWN, WAN_UP, HEAP_PROBE
    }

    /** One scheduled event; {@code seq} keeps equal times in the order they were queued. */
    record Event(long at, long seq, Kind kind, int subject) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int byTime = Long.compare(at, o.at);
            return byTime != 0 ? byTime : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long seq;

    /** Draws the viewers into {@code viewers} and queues the whole event; returns the per-site WAN speeds. */
    int[] build(Scenario sc, SimViewers viewers, SplittableRandom random) {
        double[] cumulative = siteWeights(sc.sites(), random);
        int[] wanMbps = new int[sc.sites()];
        for (int s = 0; s < sc.sites(); s++) {
            wanMbps[s] = Scenario.WAN_MBPS[random.nextInt(Scenario.WAN_MBPS.length)];
        }
        long lastJoin = sc.durationMs() * 8 / 10;
        for (int v = 0; v < sc.viewers(); v++) {
            viewers.site[v] = pickSite(cumulative, random.nextDouble());
            double link = random.nextDouble();
            viewers.network[v] = link < 0.55 ? NetworkType.ETHERNET : link < 0.95 ? NetworkType.WIFI : NetworkType.CELLULAR;
            viewers.canUpload[v] = random.nextDouble() < 0.9;
            viewers.uploadKbps[v] = 1_000 + random.nextInt(49_000);
            long join = random.nextDouble() < sc.rampShare() ? random.nextLong(sc.rampMs())
                    : sc.rampMs() + random.nextLong(Math.max(1, lastJoin - sc.rampMs()));
            add(join, Kind.JOIN, v);
            if (random.nextDouble() < sc.churnShare()) {
                long leave = join + 10_000 + random.nextLong(Math.max(1, sc.durationMs() - join));
                if (leave < sc.durationMs()) {
                    add(leave, random.nextDouble() < sc.abruptShare() ? Kind.DROP : Kind.LEAVE, v);
                    if (random.nextDouble() < sc.rejoinShare()) {
                        add(leave + 5_000 + random.nextLong(55_000), Kind.JOIN, v);
                    }
                }
            }
        }
        for (long t = sc.segmentMs(); t < sc.durationMs(); t += sc.segmentMs()) {
            add(t, Kind.SEGMENT, (int) (t / sc.segmentMs()));
        }
        for (long t = 1_000; t < sc.durationMs(); t += 1_000) {
            add(t, Kind.SWEEP, 0);
        }
        // Each minute, leaderKillsPerMin segments lose their primary leader mid-fetch (spread over the minute).
        int perMinute = 60_000 / sc.segmentMs();
        for (long minute = 1; minute * 60_000 < sc.durationMs(); minute++) {
            for (int k = 0; k < sc.leaderKillsPerMin(); k++) {
                long segment = minute * perMinute + (long) k * perMinute / sc.leaderKillsPerMin();
                if (segment * sc.segmentMs() < sc.durationMs()) {
                    add(segment * sc.segmentMs() - 1, Kind.PICK_DOOMED_LEADERS, (int) segment);
                }
            }
        }
        for (int f = 0; f < sc.flappingSites(); f++) {
            int site = random.nextInt(sc.sites());
            for (int i = 0; i < Scenario.FLAPS; i++) {
                long down = sc.flapStartMs() + i * (Scenario.FLAP_DOWN_MS + Scenario.FLAP_UP_MS);
                if (down + Scenario.FLAP_DOWN_MS < sc.durationMs()) {
                    add(down, Kind.WAN_DOWN, site);
                    add(down + Scenario.FLAP_DOWN_MS, Kind.WAN_UP, site);
                }
            }
        }
        add(lastJoin, Kind.HEAP_PROBE, 0);
        return wanMbps;
    }

    void add(long at, Kind kind, int subject) {
        queue.add(new Event(at, seq++, kind, subject));
    }

    Event next() {
        return queue.poll();
    }

    /** Office sizes vary: log-normal weights (σ 0.8), so the largest site holds several times the mean. */
    private static double[] siteWeights(int sites, SplittableRandom random) {
        double[] cumulative = new double[sites];
        double sum = 0;
        for (int s = 0; s < sites; s++) {
            sum += Math.exp(0.8 * gaussian(random));
            cumulative[s] = sum;
        }
        for (int s = 0; s < sites; s++) {
            cumulative[s] /= sum;
        }
        return cumulative;
    }

    private static int pickSite(double[] cumulative, double u) {
        int at = java.util.Arrays.binarySearch(cumulative, u);
        return Math.min(cumulative.length - 1, at >= 0 ? at : -at - 1);
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
