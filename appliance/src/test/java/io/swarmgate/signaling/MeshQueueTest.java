package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Refusable work is bounded; work that keeps the mesh true always runs, in order. */
@Timeout(30)
class MeshQueueTest {

    private final MeshQueue queue = new MeshQueue("test-mesh", 2);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        release.countDown();
        queue.close();
    }

    /** Holds the mesh thread so that everything submitted now waits (test only: the product never blocks it). */
    private void holdTheMeshThread() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        queue.run("hold", () -> {
            started.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
    }

    @Test
    void joinsBeyondTheLimitAreRefusedWhileLeavesAlwaysRun() throws Exception {
        holdTheMeshThread();
        assertTrue(queue.offer("join", () -> ran.add("join-1")));
        assertTrue(queue.offer("join", () -> ran.add("join-2")));
        assertFalse(queue.offer("join", () -> ran.add("join-3")), "the third waiting join is refused");
        for (int i = 1; i <= 5; i++) {
            int n = i;
            queue.run("leave", () -> ran.add("leave-" + n));
        }
        assertEquals(2, queue.refusableWaiting());
        release.countDown();
        Await.until("everything queued ran", Duration.ofSeconds(10), () -> ran.size() == 7);
        assertEquals(List.of("join-1", "join-2", "leave-1", "leave-2", "leave-3", "leave-4", "leave-5"), ran);
        assertTrue(queue.offer("join", () -> ran.add("join-4")), "room again once the thread caught up");
        Await.until("the next join ran", Duration.ofSeconds(10), () -> ran.contains("join-4"));
    }

    @Test
    void idempotentWorkWaitsAtMostOnce() throws Exception {
        AtomicBoolean pending = new AtomicBoolean();
        holdTheMeshThread();
        for (int i = 0; i < 50; i++) {
            queue.runOnce(pending, "expiry", () -> ran.add("expiry"));
        }
        release.countDown();
        queue.run("marker", () -> ran.add("marker"));
        Await.until("the marker ran", Duration.ofSeconds(10), () -> ran.contains("marker"));
        assertEquals(List.of("expiry", "marker"), ran);
        queue.runOnce(pending, "expiry", () -> ran.add("expiry-again"));
        Await.until("a later one is queued again", Duration.ofSeconds(10), () -> ran.contains("expiry-again"));
    }
}
