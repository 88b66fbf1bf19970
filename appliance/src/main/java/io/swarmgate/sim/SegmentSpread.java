package io.swarmgate.sim;

import io.swarmgate.mesh.Coordinator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How one new live segment reaches the connected viewers of one site, following the SDK's rules
 * (sdk/src/core/scheduler.js, live-prefetch.js and segment-loader.js) over the neighbour graph
 * the coordinator built:
 * <ul>
 *   <li>every viewer lists the segment at its own playlist refresh, within one segment duration;</li>
 *   <li>the primary leader (rendezvous order of the site's leader list) fetches it over the WAN
 *       when it lists it; the backup fetches it when nobody it is connected to holds it one
 *       expected HTTP time plus the grace (max(500 ms, one segment)) after listing it;</li>
 *   <li>an uploader that holds it serves each neighbour that lacks it, at most four at a time, at
 *       the LAN rate; non-uploaders serve nobody;</li>
 *   <li>anyone still without it at its deadline (buffer − 1.5 s margin − expected HTTP time after
 *       listing; at once when the site has no leader, or when the viewer's firewall blocks WebRTC)
 *       fetches it over the WAN itself.</li>
 * </ul>
 * A segment crosses a pair only once its data channel is open ({@link SimChannels}: set-up time,
 * and the joiner's player start); a holder serves a neighbour whose channel opens later when it
 * opens. A pair with a viewer whose firewall blocks WebRTC is neighbours for the coordinator
 * until the pairing fails, but no segment ever crosses it.
 * Every WAN fetch of the segment in the site shares the site's link: the k-th concurrent one
 * takes k times as long. A segment arriving after the viewer's buffer ran out is late (a stall).
 *
 * <p>A discrete-event pass on a primitive heap: each event is one long (time, kind, viewer), so
 * 100,000 viewers × hundreds of segments spread in seconds without garbage.
 */
final class SegmentSpread {

    /**
     * What one site-segment cost and delivered: WAN copies by who fetched (the primary leader, the
     * backup leader, viewers whose site had no leader, viewers the segment did not reach by their
     * deadline, firewalled viewers with no channel to wait on) and viewers it reached too late.
     */
    record Outcome(int viewers, int wanCopies, int primary, int backup, int noLeader, int fallback, int alone, int late) {
    }

    static final int SAFETY_MARGIN_MS = 1_500;
    static final int MIN_BACKUP_GRACE_MS = 500;
    static final int MAX_UPLOADS = 4;

    private static final int ARRIVE = 0;
    private static final int HTTP_START = 1;
    private static final int BACKUP_CHECK = 2;
    private static final int DEADLINE = 3;
    private static final int KIND_SHIFT = 22;
    private static final int TIME_SHIFT = 24;
    private static final long LOCAL_MASK = (1L << KIND_SHIFT) - 1;
    private static final byte NONE = 0;
    private static final byte FETCHING = 1;
    private static final byte HAS = 2;

    private final Scenario scenario;
    private final SimViewers viewers;
    private final Coordinator coordinator;
    private final SimChannels channels;
    private final SplittableRandom random;
    /** Viewer index → its position in the current site pass, valid while stamp equals pass. */
    private final int[] local;
    private final int[] stamp;
    private int pass;
    /** The site's connected viewers in the current pass, by local index. */
    private int[] members;
    private long[] listedAt = new long[256];
    private byte[] phase = new byte[256];
    private int[] served = new int[256];
    private long[] heap = new long[1024];
    private final int[] waiting = new int[io.swarmgate.mesh.SwarmRules.MAX_DEGREE_LIMIT];
    private int heapSize;

    SegmentSpread(Scenario scenario, SimViewers viewers, Coordinator coordinator, SimChannels channels, SplittableRandom random) {
        this.scenario = scenario;
        this.viewers = viewers;
        this.coordinator = coordinator;
        this.channels = channels;
        this.random = random;
        this.local = new int[viewers.count()];
        this.stamp = new int[viewers.count()];
    }

    /**
     * Spreads segment {@code segmentId}, published at {@code t0} (ms since the start), in site {@code s}.
     *
     * @param leaders      the site's leader list as the viewers hold it
     * @param wanMbps      the site's WAN link
     * @param doomed       the viewer that vanishes 500 ms into this segment (its fetch never lands), or -1
     */
    Outcome spread(String segmentId, long t0, int s, List<String> leaders, int wanMbps, int doomed) {
        int n = viewers.connectedCount(s);
        int[] members = viewers.connected(s);
        this.members = members;
        ensure(n);
        pass++;
        heapSize = 0;
        long baseHttpMs = scenario.segmentBits() / (wanMbps * 1_000L);
        long httpEstimateMs = scenario.wanFetchMs(wanMbps);
        long hopMs = scenario.lanHopMs();
        long slack = Math.max(0, scenario.bufferMs() - SAFETY_MARGIN_MS - httpEstimateMs);
        long backupWait = httpEstimateMs + Math.max(MIN_BACKUP_GRACE_MS, scenario.segmentMs());
        for (int i = 0; i < n; i++) {
            local[members[i]] = i;
            stamp[members[i]] = pass;
            listedAt[i] = t0 + random.nextInt(scenario.segmentMs());
            phase[i] = NONE;
            served[i] = 0;
        }
        List<String> ranked = LeaderOrder.rank(segmentId, leaders);
        int primary = ranked.isEmpty() ? -1 : localOf(ranked.get(0));
        int backup = ranked.size() < 2 ? -1 : localOf(ranked.get(1));
        for (int i = 0; i < n; i++) {
            if (i == primary) {
                push(listedAt[i], HTTP_START, i);
            } else {
                if (i == backup) {
                    push(listedAt[i] + backupWait, BACKUP_CHECK, i);
                }
                // With no leader to wait for the SDK fetches at once ("noHolder"), and so does a
                // viewer with no channel open that could bring it ("alone": its firewall blocks WebRTC).
                boolean waits = !ranked.isEmpty() && !viewers.firewalled[members[i]];
                push(listedAt[i] + (waits ? slack : 0), DEADLINE, i);
            }
        }
        int wan = 0;
        int late = 0;
        int[] by = new int[5];
        int doomedLocal = doomed >= 0 && stamp[doomed] == pass ? local[doomed] : -1;
        while (heapSize > 0) {
            long e = pop();
            long t = e >>> TIME_SHIFT;
            int kind = (int) ((e >>> KIND_SHIFT) & 3);
            int i = (int) (e & LOCAL_MASK);
            switch (kind) {
                case ARRIVE -> {
                    if (phase[i] == HAS) {
                        continue;
                    }
                    phase[i] = HAS;
                    if (t > listedAt[i] + scenario.bufferMs()) {
                        late++;
                    }
                    if (i != doomedLocal && viewers.uploads(members[i])) {
                        serveNeighbours(members[i], i, t, hopMs);
                    }
                }
                case BACKUP_CHECK -> {
                    if (phase[i] == NONE && !neighbourHolds(members[i], t)) {
                        wan++;
                        by[1]++;
                        fetch(i, t, scenario.wanRttMs() + baseHttpMs * wan, i == doomedLocal);
                    }
                }
                default -> { // HTTP_START, DEADLINE
                    if (phase[i] == NONE) {
                        wan++;
                        by[kind == HTTP_START ? 0 : ranked.isEmpty() ? 2 : viewers.firewalled[members[i]] ? 4 : 3]++;
                        fetch(i, t, scenario.wanRttMs() + baseHttpMs * wan, i == doomedLocal);
                    }
                }
            }
        }
        return new Outcome(n, wan, by[0], by[1], by[2], by[3], by[4], late);
    }

    private void fetch(int i, long t, long ms, boolean vanishes) {
        phase[i] = FETCHING;
        if (!vanishes) {
            push(t + ms, ARRIVE, i);
        }
    }

    private void serveNeighbours(int v, int i, long t, long hopMs) {
        int count = 0;
        for (String id : coordinator.neighbours(viewers.id(v))) {
            int m = SimViewers.indexOf(id);
            // Connected in this site now, still lacking it, and a channel between them opens.
            if (stamp[m] == pass && phase[local[m]] != HAS && channels.openAt(v, m) != SimChannels.NONE) {
                waiting[count++] = local[m];
            }
        }
        // Serve in a fixed order: the neighbour set's own order is salted per JVM.
        java.util.Arrays.sort(waiting, 0, count);
        for (int k = 0; k < count; k++) {
            int j = waiting[k];
            int queued = served[i]++;
            long from = Math.max(Math.max(t, listedAt[j]), channels.openAt(v, members[j]));
            push(from + hopMs * (queued / MAX_UPLOADS + 1), ARRIVE, j);
        }
    }

    /** Whether a neighbour with an open channel holds the segment at {@code t}. */
    private boolean neighbourHolds(int v, long t) {
        for (String id : coordinator.neighbours(viewers.id(v))) {
            int m = SimViewers.indexOf(id);
            if (stamp[m] == pass && phase[local[m]] == HAS && channels.openAt(v, m) <= t) {
                return true;
            }
        }
        return false;
    }

    private int localOf(String peerId) {
        int v = SimViewers.indexOf(peerId);
        return stamp[v] == pass && viewers.id(v).equals(peerId) ? local[v] : -1;
    }

    private void ensure(int n) {
        if (listedAt.length < n) {
            int size = Integer.highestOneBit(n) * 2;
            listedAt = new long[size];
            phase = new byte[size];
            served = new int[size];
        }
    }

    private void push(long time, int kind, int i) {
        if (heapSize == heap.length) {
            heap = java.util.Arrays.copyOf(heap, heapSize * 2);
        }
        long e = (time << TIME_SHIFT) | ((long) kind << KIND_SHIFT) | i;
        int at = heapSize++;
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (heap[parent] <= e) {
                break;
            }
            heap[at] = heap[parent];
            at = parent;
        }
        heap[at] = e;
    }

    private long pop() {
        long top = heap[0];
        long last = heap[--heapSize];
        int at = 0;
        while (true) {
            int child = 2 * at + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = last;
        return top;
    }
}
