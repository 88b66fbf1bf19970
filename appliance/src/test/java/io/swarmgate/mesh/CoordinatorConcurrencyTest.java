package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator's threading contract: one thread makes every change, any thread may read
 * neighbours and leaders meanwhile.
 */
class CoordinatorConcurrencyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    @Timeout(60)
    void readersOnOtherThreadsSeeConsistentSnapshotsWhileTheOwnerChurns() throws Exception {
        RecordingListener events = new RecordingListener();
        SwarmRules rules = SwarmRules.defaults();
        Coordinator mesh = new Coordinator(stream -> rules, events, SettableClock.at(T0), MeshTimings.defaults(), 9);
        Map<String, PeerInfo> live = new HashMap<>();
        List<String> ids = new ArrayList<>();
        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                int reader = r;
                running.add(readers.submit(() -> {
                    Random random = new Random(reader);
                    while (churning.get()) {
                        String a = "p" + random.nextInt(3000);
                        String b = "p" + random.nextInt(3000);
                        // The relay check and the resume path read these while the owner changes the mesh.
                        boolean paired = mesh.isNeighbour(a, b);
                        Set<String> neighbours = mesh.neighbours(a);
                        assertTrue(neighbours.size() <= rules.maxNeighbours(), a + " has " + neighbours);
                        List<String> leaders = mesh.leaders(Viewers.STREAM, "s" + random.nextInt(3));
                        assertTrue(leaders.size() <= rules.leadersPerSite(), "leaders " + leaders);
                        if (paired) {
                            reads.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Random random = new Random(1);
            for (int i = 0; i < 3000; i++) {
                if (ids.isEmpty() || random.nextInt(100) < 60) {
                    PeerInfo peer = new PeerInfo("p" + i, Viewers.STREAM, "s" + random.nextInt(3),
                            random.nextInt(100) < 75, NetworkType.ETHERNET, random.nextInt(5_000));
                    live.put(peer.peerId(), peer);
                    mesh.join(peer);
                    ids.add(peer.peerId());
                } else {
                    String id = ids.remove(random.nextInt(ids.size()));
                    live.remove(id);
                    mesh.leave(id);
                }
            }
            churning.set(false);
            for (Future<?> reader : running) {
                reader.get(); // rethrows what a reader asserted
            }
        } finally {
            churning.set(false);
            readers.shutdown();
            readers.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertEquals(live.size(), mesh.peerCount());
        MeshInvariants.check(mesh, events, live, rules, Set.of());
        MeshInvariants.checkLeaders(mesh, events, live.values(), rules);
    }

    @Test
    void aChangeFromASecondThreadIsRefused() throws Exception {
        Coordinator mesh = new Coordinator(stream -> SwarmRules.defaults(), new RecordingListener(), SettableClock.at(T0),
                MeshTimings.defaults(), 9);
        mesh.join(Viewers.uploader("owner-made", "s"));
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> attempt = other.submit(() -> mesh.join(Viewers.uploader("intruder", "s")));
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    attempt::get);
            assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
            assertTrue(e.getCause().getMessage().contains("owned by"), e.getCause().getMessage());
        } finally {
            other.shutdown();
        }
        assertEquals(1, mesh.peerCount());
    }

    @Test
    void aListenerThatChangesTheMeshSeesEveryEventInOrder() {
        List<String> seen = new ArrayList<>();
        Coordinator[] holder = new Coordinator[1];
        MeshListener listener = new MeshListener() {
            @Override
            public void assigned(String peerId, String neighbourId, boolean youOffer) {
                seen.add("assigned " + peerId + "-" + neighbourId);
                if (peerId.equals("b") && neighbourId.equals("a")) {
                    holder[0].leave("a"); // a nested change while its cause is being delivered
                }
            }

            @Override
            public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
                seen.add("unassigned " + peerId + "-" + neighbourId);
            }

            @Override
            public void leadersChanged(String streamId, String site, SiteLeaders leaders) {
                seen.add("leaders " + leaders);
            }
        };
        holder[0] = new Coordinator(stream -> SwarmRules.defaults(), listener, SettableClock.at(T0),
                MeshTimings.defaults(), 9);
        holder[0].join(Viewers.uploader("a", "s"));
        holder[0].join(Viewers.uploader("b", "s"));
        int assignedB = seen.indexOf("assigned b-a");
        int goneB = seen.indexOf("unassigned b-a");
        assertTrue(assignedB >= 0 && goneB > assignedB, "b hears of a before it hears a is gone: " + seen);
        assertEquals(List.of(), holder[0].neighbours("b").stream().toList());
    }
}
