package io.swarmgate.mesh;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one stream's events to the listener in the order the changes happened, without holding
 * the stream lock while the listener runs.
 *
 * <p>Operations collect their events while locked and {@link #enqueue} them before unlocking, so
 * queue order equals lock order. After unlocking they call {@link #drain}: whichever thread wins
 * the {@code draining} flag delivers everything queued (including other threads' events) and the
 * rest return at once. Hence one delivering thread per stream at a time, in order, lock-free.
 */
final class EventQueue {

    private static final Logger log = LoggerFactory.getLogger(EventQueue.class);

    /** A change to report; records so tests and logs can print them. */
    sealed interface MeshEvent {
        void deliver(MeshListener listener);
    }

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

    record LeadersChanged(String streamId, String site, List<String> leaders) implements MeshEvent {
        @Override
        public void deliver(MeshListener listener) {
            listener.leadersChanged(streamId, site, leaders);
        }
    }

    private final MeshListener listener;
    private final Queue<MeshEvent> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    EventQueue(MeshListener listener) {
        this.listener = listener;
    }

    /** Call while holding the stream lock. */
    void enqueue(List<MeshEvent> events) {
        pending.addAll(events);
    }

    /** Call after releasing the stream lock. */
    void drain() {
        // Re-check after clearing the flag: another thread may have enqueued while we delivered
        // and given up because the flag was still set.
        while (!pending.isEmpty() && draining.compareAndSet(false, true)) {
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
                draining.set(false);
            }
        }
    }
}
