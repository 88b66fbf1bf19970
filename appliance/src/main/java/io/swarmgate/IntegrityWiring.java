package io.swarmgate;

import io.swarmgate.cli.VersionCommand;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.demo.DemoHandler;
import io.swarmgate.integrity.HttpOrigin;
import io.swarmgate.integrity.IntegrityLedger;
import io.swarmgate.integrity.MediaOrigins;
import io.swarmgate.integrity.SegmentHashes;
import io.swarmgate.integrity.SegmentUrl;
import io.swarmgate.policy.PageOrigins;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** Builds the integrity anchor and the offender ledger from the configuration (docs/security.md). */
final class IntegrityWiring {

    private IntegrityWiring() {
    }

    /**
     * The integrity anchor: segments of the appliance's own demo stream are read in-process, every
     * other allowed origin is fetched over HTTP(S).
     */
    static SegmentHashes hashes(ApplianceConfig config, PageOrigins pageOrigins, DemoHandler demo,
                                Clock clock) {
        Predicate<SegmentUrl> ownMedia = url -> demo != null && url.path().startsWith("/demo/")
                && pageOrigins.isOwn(url.origin());
        MediaOrigins origins = new MediaOrigins(config.security().mediaOrigins(), ownMedia);
        Duration timeout = Duration.ofMillis(config.integrity().fetchTimeoutMs());
        HttpOrigin http = new HttpOrigin(timeout, VersionCommand.version());
        SegmentHashes.Origin origin = (url, maxBytes) -> {
            if (!ownMedia.test(url)) {
                return http.fetch(url, maxBytes);
            }
            return CompletableFuture.completedFuture(demo.segmentBytes(url.path())
                    .<SegmentHashes.Answer>map(bytes -> known(bytes, url.range(), maxBytes))
                    .orElse(new SegmentHashes.Failed(SegmentHashes.Failure.NOT_FOUND)));
        };
        return new SegmentHashes(origins, origin, new SegmentHashes.Settings(
                Duration.ofSeconds(config.integrity().hashTtlSeconds()),
                config.integrity().maxSegmentMib() * 1024L * 1024L, timeout, config.integrity().maxFetches(),
                HASH_CACHE_ENTRIES), clock);
    }

    /** Segments whose hashes are remembered: about 2 MB, hours of a dozen renditions of 2 s segments. */
    private static final int HASH_CACHE_ENTRIES = 16_384;

    /** The hash of {@code bytes}, or of the range within them, as an HTTP origin would serve it. */
    private static SegmentHashes.Answer known(byte[] bytes, SegmentUrl.Range range, long maxBytes) {
        // Like HttpOrigin: only the exact range counts, one reaching past the end is not there.
        if (range != null && range.last() >= bytes.length) {
            return new SegmentHashes.Failed(SegmentHashes.Failure.NOT_FOUND);
        }
        int from = range == null ? 0 : (int) range.first();
        int to = range == null ? bytes.length : (int) range.last() + 1;
        if (to - from > maxBytes) {
            return new SegmentHashes.Failed(SegmentHashes.Failure.TOO_LARGE);
        }
        return new SegmentHashes.Known(sha256(bytes, from, to - from), to - from);
    }

    private static byte[] sha256(byte[] bytes, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, offset, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the Java runtime has no SHA-256", e);
        }
    }

    /** The ledger of integrity reports; a bar outlives the barred viewer's resume grace. */
    static IntegrityLedger ledger(ApplianceConfig config, Clock clock) {
        Duration barFor = Duration.ofMinutes(config.integrity().barMinutes());
        if (barFor.toMillis() < config.mesh().resumeGraceMs()) {
            barFor = Duration.ofMillis(config.mesh().resumeGraceMs());
        }
        return new IntegrityLedger(config.integrity().reportsToBar(), barFor, clock);
    }
}
