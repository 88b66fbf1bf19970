package io.swarmgate.mesh;

import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the coordinator's events to its listener in the order the changes made them. A listener
 * that changes the mesh again while being called adds its events behind the pending ones; the
 * outermost call delivers them all, so the listener never sees events out of order. A listener
 * that throws is logged and the next event goes on. Confined to the coordinator's thread.
 */
final class OrderedDelivery {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final MeshListener listener;
    private final ArrayDeque<MeshEvent> pending = new ArrayDeque<>();
    private boolean delivering;

    OrderedDelivery(MeshListener listener) {
        this.listener = listener;
    }

    /** Delivers a completed change's events, behind any still pending. */
    void deliver(List<MeshEvent> events) {
        pending.addAll(events);
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            MeshEvent event;
            while ((event = pending.poll()) != null) {
                try {
                    event.deliver(listener);
                } catch (RuntimeException e) {
                    log.warn("{} - listener failed, continuing with the next event", event, e);
                }
            }
        } finally {
            delivering = false;
        }
    }
}
