package io.swarmgate.mesh;

import java.util.List;

/**
 * Receives every change the coordinator makes, so the signaling layer can push messages.
 *
 * <p>Threading contract: every call is made on the coordinator's owning thread, in the order the
 * changes happened, once the change that caused it is complete, so an implementation may query
 * or change the coordinator. Implementations should only enqueue a message (a slow listener
 * delays every later change); an exception is logged and does not stop delivery of the
 * remaining events.
 */
public interface MeshListener {

    /** {@code peerId} got {@code neighbourId}; if {@code youOffer} it must send the WebRTC offer. */
    void assigned(String peerId, String neighbourId, boolean youOffer);

    /** {@code peerId} must close its connection to {@code neighbourId}. */
    void unassigned(String peerId, String neighbourId, UnassignReason reason);

    /** The leaders of one site or of one of its renditions changed ({@link SiteLeaders}: lists sorted by peer id, may be empty). */
    void leadersChanged(String streamId, String site, SiteLeaders leaders);

    /** A listener that ignores everything, for tools that only query. */
    MeshListener NONE = new MeshListener() {
        @Override
        public void assigned(String peerId, String neighbourId, boolean youOffer) {
        }

        @Override
        public void unassigned(String peerId, String neighbourId, UnassignReason reason) {
        }

        @Override
        public void leadersChanged(String streamId, String site, SiteLeaders leaders) {
        }
    };
}
