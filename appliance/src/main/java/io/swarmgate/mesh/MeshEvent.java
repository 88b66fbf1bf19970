package io.swarmgate.mesh;

import java.util.List;

/**
 * A change the coordinator reports to its {@link MeshListener}. Operations collect their events
 * while they change the mesh and the coordinator delivers them once the change is complete, so
 * a listener always sees a consistent mesh and may query it. Records, so tests and logs can
 * print them.
 */
sealed interface MeshEvent {

    void deliver(MeshListener listener);

    record Assigned(String peerId, String neighbourId, boolean youOffer) implements MeshEvent {
        @Override
        public void deliver(MeshListener listener) {
            listener.assigned(peerId, neighbourId, youOffer);
        }
    }

    record Unassigned(String peerId, String neighbourId, UnassignReason reason) implements MeshEvent {
        @Override
        public void deliver(MeshListener listener) {
            listener.unassigned(peerId, neighbourId, reason);
        }
    }

    record LeadersChanged(String streamId, String site, SiteLeaders leaders) implements MeshEvent {
        @Override
        public void deliver(MeshListener listener) {
            listener.leadersChanged(streamId, site, leaders);
        }
    }
}
