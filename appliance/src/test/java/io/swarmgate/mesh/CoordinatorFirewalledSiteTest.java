package io.swarmgate.mesh;

import static io.swarmgate.mesh.Viewers.uploader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A large site with firewalled desktops, ten minutes on a simulated clock: every pairing with a
 * desktop whose firewall blocks WebRTC fails 5 s after it was made (the SDK's connection timeout)
 * and is reported ({@code failing} {@code connect}); after its second such failure the desktop
 * is known to reach nobody, as {@code ConnectReports} decides with its report of no open channel.
 * Counts the doomed pairings: each one takes a colleague's neighbour slot for those 5 s.
 */
class CoordinatorFirewalledSiteTest {

    private static final int COLLEAGUES = 190;
    private static final int FIREWALLED = 10;
    private static final long CONNECT_TIMEOUT_MS = 5_000;
    private static final long EVENT_MS = 10 * 60_000;

    private record Failure(long at, String reporter, String failing) {
    }

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Failure> due = new ArrayList<>();
    private final Set<String> firewalled = new HashSet<>();

    private final MeshListener listener = new MeshListener() {
        @Override
        public void assigned(String peerId, String neighbourId, boolean youOffer) {
            if (youOffer && (firewalled.contains(peerId) || firewalled.contains(neighbourId))) {
                String blocked = firewalled.contains(neighbourId) ? neighbourId : peerId;
                String other = blocked.equals(peerId) ? neighbourId : peerId;
                due.add(new Failure(clock.millis() + CONNECT_TIMEOUT_MS, other, blocked));
            }
        }

        @Override
        public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        }

        @Override
        public void leadersChanged(String streamId, String site, SiteLeaders leaders) {
        }
    };

    private final Coordinator mesh = new Coordinator(stream -> SwarmRules.defaults(), listener, clock,
            MeshTimings.defaults(), 9);

    @Test
    void aFirewalledDesktopTakesAHandfulOfPairingsInTenMinutesNotHundreds() {
        List<String> everyone = new ArrayList<>();
        for (int i = 0; i < COLLEAGUES + FIREWALLED; i++) {
            boolean blocked = i % ((COLLEAGUES + FIREWALLED) / FIREWALLED) == 0;
            String id = (blocked ? "f" : "u") + i;
            if (blocked) {
                firewalled.add(id);
            }
            everyone.add(id);
        }
        assertEquals(FIREWALLED, firewalled.size());
        Map<String, Integer> failed = new HashMap<>();
        for (String id : everyone) {
            mesh.join(uploader(id, "s"));
            clock.advance(50); // a crowd joining in 10 s
        }
        for (long t = 0; t < EVENT_MS; t += 1_000) {
            clock.advance(1_000);
            List<Failure> now = due.stream().filter(f -> f.at() <= clock.millis()).toList();
            due.removeAll(now);
            for (Failure f : now) {
                if (!mesh.isNeighbour(f.reporter(), f.failing())) {
                    continue;
                }
                mesh.reportFailing(f.reporter(), f.failing());
                if (failed.merge(f.failing(), 1, Integer::sum) == 2) {
                    mesh.reachable(f.failing(), false);
                }
            }
            mesh.endPairingPauses();
        }
        int most = failed.values().stream().max(Integer::compare).orElse(0);
        int total = failed.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("firewalled site: %d doomed pairings of %d firewalled desktops in %d min (most %d)%n",
                total, FIREWALLED, EVENT_MS / 60_000, most);
        // At join: its share of neighbours (up to the cap of 10, as colleagues adopt it) and the
        // replacements made before its second failure was known; then one probe per pause
        // (15 s, 30 s, 1, 2, 4 min, then every 5).
        assertTrue(most <= 20, "doomed pairings of one firewalled desktop in 10 minutes: " + most);
        for (String f : firewalled) {
            assertTrue(mesh.neighbours(f).size() <= 1, f + " probes with one neighbour at most");
        }
        assertTrue(everyone.stream().filter(id -> !firewalled.contains(id))
                .allMatch(id -> mesh.neighbours(id).size() >= SwarmRules.DEFAULT_TARGET_DEGREE - 1),
                "the colleagues keep their share of neighbours");
    }
}
