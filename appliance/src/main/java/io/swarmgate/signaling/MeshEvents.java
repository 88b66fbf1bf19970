package io.swarmgate.signaling;

import io.swarmgate.mesh.MeshListener;
import io.swarmgate.mesh.UnassignReason;
import java.util.List;

/**
 * Turns the coordinator's events into messages for the viewers concerned. Called on the mesh
 * thread, after each coordinator change; it only encodes and queues, the writes happen on the
 * send threads.
 */
final class MeshEvents implements MeshListener {

    private final SessionRegistry registry;
    private final SignalingCodec codec;

    MeshEvents(SessionRegistry registry, SignalingCodec codec) {
        this.registry = registry;
        this.codec = codec;
    }

    @Override
    public void assigned(String peerId, String neighbourId, boolean youOffer) {
        ViewerSession s = registry.byPeer(peerId);
        if (s != null) {
            s.send(new ServerMessage.Neighbour(neighbourId, youOffer, siteOf(neighbourId)));
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

    /** Every viewer of the site hears it, HTTP-only ones included; encoded once for all of them. */
    @Override
    public void leadersChanged(String streamId, String site, List<String> leaders) {
        var members = registry.inSwarmSite(streamId, site);
        if (members.isEmpty()) {
            return;
        }
        String text = codec.encode(new ServerMessage.Leaders(leaders));
        for (ViewerSession s : members) {
            s.sendText(text);
        }
    }

    /** The site of a viewer, for {@code neighbour} messages; null if it is gone. */
    String siteOf(String peerId) {
        ViewerSession s = registry.byPeer(peerId);
        ViewerSession.Membership m = s == null ? null : s.membership();
        return m == null ? null : m.site();
    }
}
