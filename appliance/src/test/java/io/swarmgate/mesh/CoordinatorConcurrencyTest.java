package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.swarmgate.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CoordinatorConcurrencyTest {

    @Test
    @Timeout(60)
    void concurrentJoinsAndLeavesKeepEventsInOrderAndTheMeshConsistent() throws Exception {
        RecordingListener events = new RecordingListener();
        SwarmRules rules = SwarmRules.defaults();
        Coordinator mesh = new Coordinator(stream -> rules, events, SettableClock.at(Instant.parse("2026-01-01T00:00:00Z")), MeshTimings.defaults(), 9);
        Map<String, PeerInfo> live = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    Random random = new Random(thread);
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < 1500; i++) {
                        if (mine.isEmpty() || random.nextInt(100) < 60) {
                            PeerInfo peer = new PeerInfo("t" + thread + "-" + i, Viewers.STREAM, "s" + random.nextInt(3),
                                    random.nextInt(100) < 75, NetworkType.ETHERNET, random.nextInt(5_000));
                            live.put(peer.peerId(), peer);
                            mesh.join(peer);
                            mine.add(peer.peerId());
                        } else {
                            String id = mine.remove(random.nextInt(mine.size()));
                            live.remove(id);
                            mesh.leave(id);
                        }
                        if (i % 7 == 0 && !mine.isEmpty()) {
                            // Relay checks race with matching and must never throw.
                            mesh.isNeighbour(mine.get(0), mine.get(mine.size() - 1));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(); // rethrows any assertion the listener raised on an out-of-order event
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertEquals(live.size(), mesh.peerCount());
        MeshInvariants.check(mesh, events, live, rules, Set.of());
        MeshInvariants.checkLeaders(mesh, events, live.values(), rules);
    }
}
