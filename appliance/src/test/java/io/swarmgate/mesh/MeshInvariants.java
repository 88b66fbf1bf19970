package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the mesh against the rules by brute force over all live viewers — the scan the
 * coordinator itself must never do. Viewers are assumed connected (not suspended).
 */
final class MeshInvariants {

    private MeshInvariants() {
    }

    static boolean uploads(PeerInfo peer, SwarmRules rules) {
        return rules.modeFor(peer.site()) == P2pMode.ON && peer.canUpload()
                && (peer.networkType() != NetworkType.CELLULAR || rules.uploadOnCellular())
                && (peer.networkType() != NetworkType.WIFI || rules.uploadOnWifi());
    }

    static String pairKey(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    static void check(Coordinator mesh, RecordingListener events, Map<String, PeerInfo> live, SwarmRules rules,
                      Set<String> blockedPairs) {
        int target = rules.targetDegree();
        int max = rules.maxNeighbours();
        Map<String, Set<String>> graph = new HashMap<>();
        for (PeerInfo peer : live.values()) {
            graph.put(peer.peerId(), mesh.neighbours(peer.peerId()));
        }
        for (PeerInfo peer : live.values()) {
            String id = peer.peerId();
            Set<String> mine = graph.get(id);
            assertEquals(mine, events.neighboursOf(id), id + ": events disagree with the coordinator");
            assertTrue(mine.size() <= max, id + " has " + mine.size() + " neighbours, above the cap " + max);
            if (rules.modeFor(peer.site()) == P2pMode.OFF) {
                assertTrue(mine.isEmpty(), id + " is in an OFF site but has neighbours " + mine);
            }
            for (String other : mine) {
                PeerInfo neighbour = live.get(other);
                if (neighbour == null) {
                    fail(id + " still has departed neighbour " + other);
                }
                assertTrue(graph.get(other).contains(id), id + " -> " + other + " is not symmetric");
                assertTrue(mayShare(rules, peer.site(), neighbour.site()),
                        id + " in " + peer.site() + " paired across a closed boundary with " + other + " in " + neighbour.site());
                assertTrue(uploads(peer, rules) || uploads(neighbour, rules), id + " and " + other + " are both non-uploaders");
                assertFalse(blockedPairs.contains(pairKey(id, other)), id + " re-paired with blocked " + other);
            }
        }
        for (PeerInfo peer : live.values()) {
            Set<String> mine = graph.get(peer.peerId());
            if (mine.size() >= target || rules.modeFor(peer.site()) == P2pMode.OFF) {
                continue;
            }
            for (PeerInfo c : live.values()) {
                if (c == peer || mine.contains(c.peerId()) || rules.modeFor(c.site()) == P2pMode.OFF
                        || !mayShare(rules, peer.site(), c.site()) || blockedPairs.contains(pairKey(peer.peerId(), c.peerId()))) {
                    continue;
                }
                int theirs = graph.get(c.peerId()).size();
                boolean spareSource = uploads(c, rules) && theirs < max;
                boolean hungryForMe = uploads(peer, rules) && theirs < target;
                assertFalse(spareSource || hungryForMe, peer.peerId() + " has " + mine.size()
                        + " neighbours while " + c.peerId() + " (" + theirs + ") could be one");
            }
        }
    }

    static boolean mayShare(SwarmRules rules, String a, String b) {
        return a.equals(b) || rules.partnersOf(a).contains(b);
    }

    /** Leaders per site: min(N, eligible) of them, all eligible, and what the events said. */
    static void checkLeaders(Coordinator mesh, RecordingListener events, Collection<PeerInfo> live, SwarmRules rules) {
        Map<String, List<PeerInfo>> bySite = live.stream().collect(Collectors.groupingBy(PeerInfo::site));
        bySite.forEach((site, viewers) -> {
            Set<String> eligible = viewers.stream()
                    .filter(p -> uploads(p, rules) && p.networkType() != NetworkType.CELLULAR)
                    .map(PeerInfo::peerId).collect(Collectors.toSet());
            List<String> leaders = mesh.leaders(Viewers.STREAM, site);
            assertEquals(Math.min(rules.leadersPerSite(), eligible.size()), leaders.size(), site + " leaders " + leaders);
            assertTrue(eligible.containsAll(leaders), site + " has ineligible leaders " + leaders);
            assertEquals(leaders, events.leadersOf(Viewers.STREAM, site), site + ": leader events disagree");
        });
    }
}
