package io.swarmgate.integrity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.swarmgate.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SegmentHashesTest {

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-12-03T10:00:00Z"));
    private final List<CompletableFuture<SegmentHashes.Answer>> fetches = new ArrayList<>();
    private final List<String> fetched = new ArrayList<>();
    private final MediaOrigins origins = new MediaOrigins(List.of("https://video.corp.example"), u -> false);

    private SegmentHashes hashes(int maxFetches, Duration timeout) {
        return new SegmentHashes(origins, (url, max) -> {
            fetched.add(url.uri().toString());
            CompletableFuture<SegmentHashes.Answer> f = new CompletableFuture<>();
            fetches.add(f);
            return f;
        }, new SegmentHashes.Settings(Duration.ofMinutes(10), 1 << 20, timeout, maxFetches, 3), clock);
    }

    private static SegmentUrl url(String u) {
        return SegmentUrl.parse(u).orElseThrow();
    }

    private static SegmentHashes.Answer known(int b) {
        return new SegmentHashes.Known(new byte[] {(byte) b}, 1);
    }

    @Test
    void askersOfOneSegmentShareOneFetchWhateverTheirQuery() throws Exception {
        SegmentHashes h = hashes(8, Duration.ofSeconds(30));
        CompletableFuture<SegmentHashes.Answer> a = h.lookup(null, url("https://video.corp.example/s1.ts?token=a"));
        CompletableFuture<SegmentHashes.Answer> b = h.lookup(null, url("https://video.corp.example/s1.ts?token=b"));
        assertSame(a, b);
        assertEquals(List.of("https://video.corp.example/s1.ts?token=a"), fetched, "the first asker's URL, once");
        fetches.get(0).complete(known(7));
        assertArrayEquals(new byte[] {7}, ((SegmentHashes.Known) a.get(1, TimeUnit.SECONDS)).sha256());
        h.lookup(null, url("https://video.corp.example/s1.ts"));
        assertEquals(1, fetched.size(), "kept for the TTL");
        assertEquals(1, h.fetches());
        assertEquals(1, h.fetchedBytes());
        clock.advance(Duration.ofMinutes(10));
        h.lookup(null, url("https://video.corp.example/s1.ts"));
        assertEquals(2, fetched.size(), "fetched again after the TTL");
    }

    @Test
    void failuresAreKeptBrieflySoADeadOriginIsNotHammered() throws Exception {
        SegmentHashes h = hashes(8, Duration.ofSeconds(30));
        CompletableFuture<SegmentHashes.Answer> a = h.lookup(null, url("https://video.corp.example/s1.ts"));
        fetches.get(0).complete(new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE));
        assertEquals(new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE), a.get(1, TimeUnit.SECONDS));
        h.lookup(null, url("https://video.corp.example/s1.ts"));
        assertEquals(1, fetched.size());
        clock.advance(SegmentHashes.FAILURE_TTL);
        h.lookup(null, url("https://video.corp.example/s1.ts"));
        assertEquals(2, fetched.size());
    }

    @Test
    void urlsOutsideTheMediaOriginsAreRefusedWithoutAFetch() throws Exception {
        SegmentHashes h = hashes(8, Duration.ofSeconds(30));
        assertEquals(new SegmentHashes.Failed(SegmentHashes.Failure.NOT_ALLOWED),
                h.lookup(null, url("http://10.0.0.1:22/x")).get(1, TimeUnit.SECONDS));
        assertEquals(List.of(), fetched);
    }

    @Test
    void beyondTheFetchLimitNewSegmentsAreBusy() throws Exception {
        SegmentHashes h = hashes(2, Duration.ofSeconds(30));
        h.lookup(null, url("https://video.corp.example/1.ts"));
        h.lookup(null, url("https://video.corp.example/2.ts"));
        assertEquals(new SegmentHashes.Failed(SegmentHashes.Failure.BUSY),
                h.lookup(null, url("https://video.corp.example/3.ts")).get(1, TimeUnit.SECONDS));
        fetches.get(0).complete(known(1));
        h.lookup(null, url("https://video.corp.example/3.ts"));
        assertEquals(3, fetched.size(), "a slot freed");
    }

    @Test
    void aFetchThatNeverEndsCountsAsUnavailable() throws Exception {
        SegmentHashes h = hashes(1, Duration.ofMillis(50));
        CompletableFuture<SegmentHashes.Answer> a = h.lookup(null, url("https://video.corp.example/slow.ts"));
        assertEquals(new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE), a.get(10, TimeUnit.SECONDS));
        h.lookup(null, url("https://video.corp.example/next.ts"));
        assertEquals(2, fetched.size(), "the slot of the abandoned fetch is free again");
    }

    @Test
    void theCacheIsBounded() {
        SegmentHashes h = hashes(64, Duration.ofSeconds(30));
        for (int i = 0; i < 10; i++) {
            h.lookup(null, url("https://video.corp.example/" + i + ".ts"));
            fetches.get(i).complete(known(i));
        }
        assertEquals(3, h.size());
    }
}
