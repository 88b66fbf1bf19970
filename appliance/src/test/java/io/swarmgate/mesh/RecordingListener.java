package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records every event and replays it into its own view of the mesh, asserting as it goes that the
 * events of each peer make sense in order (no assignment twice, no removal of a non-neighbour).
 */
final class RecordingListener implements MeshListener {

    record Event(String kind, String peerId, String otherId, Object detail) {
    }

    final List<Event> events = new ArrayList<>();
    final Map<String, Set<String>> neighbours = new HashMap<>();
    final Map<String, SiteLeaders> leaders = new HashMap<>();
    final Map<String, Integer> leaderChanges = new HashMap<>();

    @Override
    public synchronized void assigned(String peerId, String neighbourId, boolean youOffer) {
        events.add(new Event("assigned", peerId, neighbourId, youOffer));
        assertTrue(neighbours.computeIfAbsent(peerId, k -> new HashSet<>()).add(neighbourId),
                peerId + " assigned " + neighbourId + " twice");
    }

    @Override
    public synchronized void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        events.add(new Event("unassigned", peerId, neighbourId, reason));
        assertTrue(neighbours.getOrDefault(peerId, new HashSet<>()).remove(neighbourId),
                peerId + " lost " + neighbourId + " which it never had");
    }

    @Override
    public synchronized void leadersChanged(String streamId, String site, SiteLeaders now) {
        events.add(new Event("leaders", site, null, now.site()));
        SiteLeaders previous = leaders.put(streamId + "/" + site, now);
        assertFalse(now.equals(previous), "leadersChanged without a change for " + site);
        leaderChanges.merge(streamId + "/" + site, 1, Integer::sum);
    }

    synchronized Set<String> neighboursOf(String peerId) {
        return neighbours.getOrDefault(peerId, Set.of());
    }

    synchronized List<String> leadersOf(String streamId, String site) {
        return leaders.getOrDefault(streamId + "/" + site, SiteLeaders.NONE).site();
    }

    synchronized List<Event> eventsFor(String peerId) {
        return events.stream().filter(e -> peerId.equals(e.peerId())).toList();
    }

    synchronized void clear() {
        events.clear();
    }
}
