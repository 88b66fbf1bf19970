package io.swarmgate.sim;

import io.swarmgate.mesh.NetworkType;
import io.swarmgate.mesh.PeerInfo;

/**
 * What the simulation knows about each viewer, in flat arrays (100,000 viewers must not cost
 * the heap the coordinator is measured on), and the connected viewers of each site in a list
 * with O(1) add and remove. A viewer that leaves and comes back is the same index with the next
 * generation in its peer id, as the SDK joins again under a new id.
 */
final class SimViewers {

    static final String STREAM = "event";

    static final byte ABSENT = 0;
    /** Connected and watching. */
    static final byte PRESENT = 1;
    /** Its site's WAN is down: the socket dropped, it will try to resume when the link returns. */
    static final byte SUSPENDED = 2;
    /** Left without {@code bye}: the coordinator holds it until the resume grace expires. */
    static final byte DROPPED = 3;

    final int[] site;
    final NetworkType[] network;
    final boolean[] canUpload;
    final int[] uploadKbps;
    /** Its endpoint firewall blocks WebRTC: no pairing with it ever connects. */
    final boolean[] firewalled;
    /** Failed pairings the current generation took part in as the one that reaches nobody. */
    final int[] connectFailures;
    final byte[] state;
    final int[] generation;
    /** The current peer id of each viewer, made once per join: the coordinator keeps the same string. */
    private final String[] ids;
    final boolean[] joinedBefore;
    final long[] joinedAt;
    final long[] firstNeighbourAt;
    /** When the viewer's first data channel of its current session opens (-1: none yet). */
    final long[] firstChannelAt;
    final String[] siteNames;
    private final int[][] connected;
    private final int[] connectedCount;
    private final int[] slot;

    SimViewers(int viewers, int sites) {
        site = new int[viewers];
        network = new NetworkType[viewers];
        canUpload = new boolean[viewers];
        uploadKbps = new int[viewers];
        firewalled = new boolean[viewers];
        connectFailures = new int[viewers];
        state = new byte[viewers];
        generation = new int[viewers];
        ids = new String[viewers];
        joinedBefore = new boolean[viewers];
        joinedAt = new long[viewers];
        firstNeighbourAt = new long[viewers];
        firstChannelAt = new long[viewers];
        slot = new int[viewers];
        siteNames = new String[sites];
        connected = new int[sites][];
        connectedCount = new int[sites];
        for (int s = 0; s < sites; s++) {
            siteNames[s] = "site-" + s;
            connected[s] = new int[16];
        }
    }

    int count() {
        return site.length;
    }

    /** The viewer's current peer id: its index and generation. */
    String id(int v) {
        return ids[v];
    }

    /** Starts the viewer's next generation (its first on the first join): a new peer id. */
    void nextGeneration(int v, boolean first) {
        if (!first) {
            generation[v]++;
        }
        ids[v] = "v" + v + "-" + generation[v];
        connectFailures[v] = 0;
    }

    /** Whether a data channel between the two can open: neither blocks WebRTC. */
    boolean linkable(int a, int b) {
        return !firewalled[a] && !firewalled[b];
    }

    /** The index in a peer id made by {@link #id}, without allocating. */
    static int indexOf(String peerId) {
        int v = 0;
        for (int i = 1; i < peerId.length(); i++) {
            char c = peerId.charAt(i);
            if (c == '-') {
                return v;
            }
            v = v * 10 + (c - '0');
        }
        throw new IllegalArgumentException("not a simulated peer id: " + peerId);
    }

    PeerInfo info(int v) {
        return new PeerInfo(id(v), STREAM, siteNames[site[v]], canUpload[v], network[v], uploadKbps[v]);
    }

    /** Serves neighbours: it offers to, and it is not on cellular (the default rules). */
    boolean uploads(int v) {
        return canUpload[v] && network[v] != NetworkType.CELLULAR;
    }

    void connect(int v) {
        int s = site[v];
        if (connectedCount[s] == connected[s].length) {
            connected[s] = java.util.Arrays.copyOf(connected[s], connected[s].length * 2);
        }
        slot[v] = connectedCount[s];
        connected[s][connectedCount[s]++] = v;
    }

    void disconnect(int v) {
        int s = site[v];
        int last = connected[s][--connectedCount[s]];
        connected[s][slot[v]] = last;
        slot[last] = slot[v];
    }

    /** The connected viewers of a site; only the first {@link #connectedCount} entries count. */
    int[] connected(int s) {
        return connected[s];
    }

    int connectedCount(int s) {
        return connectedCount[s];
    }
}
