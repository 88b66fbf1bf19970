package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.downloader;
import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoordinatorChurnTest {

    private final RecordingListener events = new RecordingListener();
    private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, PeerInfo> live = new LinkedHashMap<>();
    private final Set<String> blocked = new HashSet<>();
    private SwarmRules rules = SwarmRules.defaults();
    private final Coordinator mesh = new Coordinator(stream -> rules, events, clock, MeshTimings.defaults(), 42);

    private void join(PeerInfo peer) {
        live.put(peer.peerId(), peer);
        mesh.join(peer);
    }

    private void leave(String id) {
        live.remove(id);
        assertTrue(mesh.leave(id));
    }

    @Test
    void randomisedChurnKeepsEveryInvariant() {
        rules = rules.withSiteMode("s5", P2pMode.DOWNLOAD_ONLY).withSiteMode("s6", P2pMode.OFF)
                .withSiteGroups(Set.of(Set.of("s3", "s4")));
        Random random = new Random(20260101);
        int next = 0;
        for (; next < 500; next++) {
            join(randomViewer(random, next));
        }
        check();
        for (int step = 0; step < 3000; step++) {
            List<String> ids = new ArrayList<>(live.keySet());
            int dice = random.nextInt(100);
            if (dice < 40 || ids.size() < 50) {
                join(randomViewer(random, next++));
            } else if (dice < 80) {
                leave(ids.get(random.nextInt(ids.size())));
            } else if (dice < 92) {
                String reporter = ids.get(random.nextInt(ids.size()));
                List<String> theirs = new ArrayList<>(mesh.neighbours(reporter));
                if (!theirs.isEmpty()) {
                    String failing = theirs.get(random.nextInt(theirs.size()));
                    blocked.add(MeshInvariants.pairKey(reporter, failing));
                    mesh.reportFailing(reporter, failing);
                    assertFalse(mesh.isNeighbour(reporter, failing));
                }
            } else {
                String id = ids.get(random.nextInt(ids.size()));
                Set<String> before = mesh.neighbours(id);
                assertTrue(mesh.suspend(id));
                assertEquals(before, mesh.neighbours(id), "a suspended viewer keeps its neighbours");
                assertTrue(mesh.resume(id));
            }
            if (step % 250 == 0) {
                check();
            }
        }
        check();
        assertTrue(live.size() > 300, "the test should end with a big swarm, has " + live.size());
    }

    private void check() {
        MeshInvariants.check(mesh, events, live, rules, blocked);
        MeshInvariants.checkLeaders(mesh, events, live.values(), rules);
    }

    private static PeerInfo randomViewer(Random random, int n) {
        int dice = random.nextInt(100);
        NetworkType network = dice < 15 ? NetworkType.CELLULAR : dice < 50 ? NetworkType.WIFI : NetworkType.ETHERNET;
        return new PeerInfo("v" + n, Viewers.STREAM, "s" + random.nextInt(7), random.nextInt(100) < 70, network,
                random.nextInt(20_000));
    }

    @Test
    void degreeIsRestoredWhenANeighbourLeaves() {
        for (int i = 0; i < 30; i++) {
            join(uploader("u" + i, "s"));
        }
        String victim = "u3";
        Set<String> orphans = mesh.neighbours(victim);
        leave(victim);
        for (String orphan : orphans) {
            assertTrue(mesh.neighbours(orphan).size() >= rules.targetDegree(), orphan + " " + mesh.neighbours(orphan));
            assertTrue(events.eventsFor(orphan).contains(
                    new RecordingListener.Event("unassigned", orphan, victim, UnassignReason.NEIGHBOUR_LEFT)));
        }
        MeshInvariants.check(mesh, events, live, rules, blocked);
    }

    @Test
    void aFailingReportReplacesTheNeighbourOnBothSidesAndBlocksThePairForAMinute() {
        rules = rules.withDegree(2, 6);
        for (int i = 0; i < 8; i++) {
            join(uploader("u" + i, "s"));
        }
        String reporter = "u7";
        String failing = mesh.neighbours(reporter).iterator().next();
        List<Pairing> replacements = mesh.reportFailing(reporter, failing);
        assertFalse(mesh.isNeighbour(reporter, failing));
        assertTrue(replacements.stream().anyMatch(p -> p.involves(reporter)), replacements.toString());
        assertTrue(events.eventsFor(failing).contains(
                new RecordingListener.Event("unassigned", failing, reporter, UnassignReason.REPORTED_FAILING)));

        // Make the two the only candidates for each other: everyone else leaves.
        for (String id : new ArrayList<>(live.keySet())) {
            if (!id.equals(reporter) && !id.equals(failing)) {
                leave(id);
            }
        }
        assertFalse(mesh.isNeighbour(reporter, failing), "blocked pair re-matched");
        clock.advance(MeshTimings.DEFAULT_FAILING_PAIR_BLOCK.plusSeconds(1));
        join(uploader("late", "s"));
        leave("late");
        assertTrue(mesh.isNeighbour(reporter, failing), "after the block both may be paired again");
    }

    @Test
    void joiningAHugeSwarmInspectsABoundedNumberOfCandidates() {
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            mesh.join(random.nextInt(10) < 3 ? downloader("d" + i, "hq") : uploader("u" + i, "hq", random.nextInt(10_000)));
        }
        // At most three pools sampled (sources, hungry, saturated), each bounded by the sample size.
        int bound = 3 * (2 * rules.maxNeighbours() + rules.targetDegree());
        for (int i = 0; i < 100; i++) {
            long before = mesh.candidateInspections();
            mesh.join(i % 2 == 0 ? downloader("late-d" + i, "hq") : uploader("late-u" + i, "hq"));
            long cost = mesh.candidateInspections() - before;
            assertTrue(cost <= bound, "join inspected " + cost + " candidates, bound " + bound);
            String id = i % 2 == 0 ? "late-d" + i : "late-u" + i;
            assertTrue(mesh.neighbours(id).size() >= rules.targetDegree(), id + " got " + mesh.neighbours(id));
        }
        long before = mesh.candidateInspections();
        mesh.leave("u1");
        long cost = mesh.candidateInspections() - before;
        assertTrue(cost <= (long) rules.maxNeighbours() * bound, "leave inspected " + cost);
    }

    @Test
    void suspendedViewersAreNotGivenNewNeighbours() {
        rules = rules.withDegree(2, 2);
        join(uploader("a", "s"));
        assertTrue(mesh.suspend("a"));
        join(uploader("b", "s"));
        assertTrue(mesh.neighbours("b").isEmpty());
        assertTrue(mesh.resume("a"));
        assertEquals(Set.of("b"), mesh.neighbours("a"), "resuming re-matches the viewer");
        clock.advance(Duration.ofHours(1));
    }
}
