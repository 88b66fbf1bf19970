package io.swarmgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.swarmgate.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HashGateTest {

    @Test
    void beyondThePermitsAndTheirQueueCallersAreRefusedWithoutRunning() throws Exception {
        HashGate gate = new HashGate(1);
        int capacity = 1 + HashGate.QUEUE_PER_PERMIT;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            Thread t = new Thread(() -> {
                try {
                    gate.run(() -> {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        running.decrementAndGet();
                        ran.incrementAndGet();
                        return null;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            holders.add(t);
        }
        Await.until("one caller running", Duration.ofSeconds(10), () -> running.get() == 1);
        Await.until("the rest waiting", Duration.ofSeconds(10), () -> holders.stream()
                .filter(t -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING)
                .count() == capacity);

        AuthException refused = assertThrows(AuthException.class, () -> gate.run(() -> {
            ran.incrementAndGet();
            return null;
        }));
        assertEquals("too_many_attempts", refused.code());
        assertEquals(HashGate.RETRY_AFTER_SECONDS, refused.retryAfterSeconds());

        release.countDown();
        for (Thread t : holders) {
            t.join();
        }
        assertEquals(capacity, ran.get(), "the refused caller's work never ran");
        assertEquals(1, maxRunning.get());
    }

    @Test
    void theDerivedCountFollowsCoresAndHeap() {
        assertEquals(1, HashGate.derivedPermits(2, 8L << 30, 65536));
        assertEquals(8, HashGate.derivedPermits(16, 8L << 30, 65536));
        assertEquals(4, HashGate.derivedPermits(32, 1L << 30, 65536), "a 1 GiB heap allows 4 hashes of 64 MiB");
        assertEquals(1, HashGate.derivedPermits(1, 64L << 20, 65536));
    }
}
