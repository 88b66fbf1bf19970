package io.swarmgate.signaling;

import io.swarmgate.mesh.Coordinator;
import io.swarmgate.mesh.MeshListener;
import io.swarmgate.mesh.SiteLeaders;
import io.swarmgate.mesh.UnassignReason;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the coordinator's events into messages for the viewers concerned. Called on the mesh
 * thread, after each coordinator change; it only encodes and queues, the writes happen on the
 * send threads.
 *
 * <p>Leader changes are coalesced: a burst of joins or leaves can change a site's leaders once
 * per viewer, and sending every intermediate list to every viewer of the site would cost
 * (changes × viewers) messages. A change only marks the site; the first mark queues one fan-out
 * behind the mesh thread's current queue, which sends each marked site's list as it is then
 * ({@code Coordinator.leaders}). A change after the fan-out marks the site again, so every viewer
 * always ends with the current list. While a site is marked a joining viewer gets no list of its
 * own ({@link #leadersPending}): the fan-out is its one {@code leaders} message.
 */
final class MeshEvents implements MeshListener {

    private final SessionRegistry registry;
    private final SignalingCodec codec;
    private final Consumer<Runnable> later;
    /** Sites whose leaders changed since the last fan-out, in the order they changed; mesh thread only. */
    private final Set<SwarmSite> leadersDirty = new LinkedHashSet<>();
    private Coordinator coordinator;

    private record SwarmSite(String streamId, String site) {
    }

    /** @param later queues a task on the mesh thread behind everything already queued; must not refuse it */
    MeshEvents(SessionRegistry registry, SignalingCodec codec, Consumer<Runnable> later) {
        this.registry = registry;
        this.codec = codec;
        this.later = later;
    }

    /** Where the fan-out reads the current leaders; set once, before any event. */
    void readLeadersFrom(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public void assigned(String peerId, String neighbourId, boolean youOffer) {
        ViewerSession s = registry.byPeer(peerId);
        if (s != null) {
            s.send(neighbour(neighbourId, youOffer));
        }
    }

    @Override
    public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        ViewerSession s = registry.byPeer(peerId);
        if (s != null) {
            s.send(new ServerMessage.NeighbourGone(neighbourId, switch (reason) {
                case REPORTED_FAILING -> "failing";
                case REBALANCED -> "rebalanced";
                case NEIGHBOUR_LEFT, RESUME_EXPIRED -> "left";
            }));
        }
    }

    /** Marks the site; the fan-out queued by the first mark sends the list as it is by then. */
    @Override
    public void leadersChanged(String streamId, String site, SiteLeaders leaders) {
        boolean first = leadersDirty.isEmpty();
        leadersDirty.add(new SwarmSite(streamId, site));
        if (first) {
            later.accept(this::sendChangedLeaders);
        }
    }

    /** Whether a fan-out of this site's leaders is queued and will reach its current viewers. */
    boolean leadersPending(String streamId, String site) {
        return leadersDirty.contains(new SwarmSite(streamId, site));
    }

    /**
     * Every viewer of each marked site hears its current list, HTTP-only ones included; encoded
     * once per site. Sites go in the order they changed.
     */
    void sendChangedLeaders() {
        List<SwarmSite> sites = new ArrayList<>(leadersDirty);
        leadersDirty.clear();
        for (SwarmSite key : sites) {
            var members = registry.inSwarmSite(key.streamId(), key.site());
            if (members.isEmpty()) {
                continue;
            }
            String text = codec.encode(new ServerMessage.Leaders(coordinator.siteLeaders(key.streamId(), key.site())));
            for (ViewerSession s : members) {
                s.sendText(text);
            }
        }
    }

    /** The {@code neighbour} message naming {@code peerId}: its site (null if it is gone) and what its SDK understands. */
    ServerMessage.Neighbour neighbour(String peerId, boolean offer) {
        ViewerSession s = registry.byPeer(peerId);
        ViewerSession.Membership m = s == null ? null : s.membership();
        return new ServerMessage.Neighbour(peerId, offer, m == null ? null : m.site(), m != null && m.caps().fetching());
    }
}
