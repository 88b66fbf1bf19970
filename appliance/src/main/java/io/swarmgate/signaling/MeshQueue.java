package io.swarmgate.signaling;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code signaling-mesh} thread and its queue: changes to the mesh run here one at a time, in
 * submission order.
 *
 * <h2>What may be refused and what always runs</h2>
 * The queue is bounded where clients can fill it: at most {@code limit} <em>refusable</em> tasks
 * wait at a time. New work that a client starts and can safely retry — a join (hello, resume
 * included) and a {@code failing} report — is {@link #offer offered} and refused when that many
 * are waiting; the caller answers the viewer ({@code overloaded}, close 1013 for a hello). Work
 * that keeps the mesh true is {@link #run always queued}: a leave or suspension when a socket
 * closes (dropping one would leave a ghost neighbour and a registry entry forever), and the
 * coalesced leader fan-out. Those are bounded by other means: one close per connection (connection
 * limits), one fan-out per burst. Periodic and idempotent work — resume expiry, the policy
 * re-check — goes through {@link #runOnce}, so at most one of each waits however long the thread
 * is busy. Nothing here blocks the submitting thread.
 */
final class MeshQueue implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeshQueue.class);

    private final ExecutorService executor;
    private final int limit;
    private final AtomicInteger refusableWaiting = new AtomicInteger();
    private volatile Thread thread;

    /** @param limit refusable tasks that may wait at once */
    MeshQueue(String threadName, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        this.limit = limit;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** Whether the caller runs on the mesh thread. */
    boolean isMeshThread() {
        return Thread.currentThread() == thread;
    }

    /** Refusable tasks waiting now (for tests and metrics). */
    int refusableWaiting() {
        return refusableWaiting.get();
    }

    /**
     * Queues a task a client started and may retry; false (task dropped) when {@code limit}
     * refusable tasks are already waiting or the queue is shut down.
     */
    boolean offer(String what, Runnable task) {
        if (refusableWaiting.incrementAndGet() > limit) {
            refusableWaiting.decrementAndGet();
            return false;
        }
        boolean queued = submit(what, () -> {
            refusableWaiting.decrementAndGet();
            task.run();
        });
        if (!queued) {
            refusableWaiting.decrementAndGet();
        }
        return queued;
    }

    /** Queues a task that must run whatever the load. */
    void run(String what, Runnable task) {
        submit(what, task);
    }

    /**
     * Queues an idempotent task unless one queued through the same {@code pending} flag has not
     * started yet; the one waiting does the work of both.
     */
    void runOnce(AtomicBoolean pending, String what, Runnable task) {
        if (pending.compareAndSet(false, true)) {
            if (!submit(what, () -> {
                pending.set(false);
                task.run();
            })) {
                pending.set(false);
            }
        }
    }

    /** A failure is logged, never thrown at a viewer; false only when shutting down. */
    private boolean submit(String what, Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("signaling - {} failed", what, e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("signaling - {} dropped: shutting down", what);
            return false;
        }
    }

    /** Runs what is queued, then stops the thread; nothing new is accepted. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
