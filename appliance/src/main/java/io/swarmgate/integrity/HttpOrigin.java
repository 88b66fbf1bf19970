package io.swarmgate.integrity;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Fetches a segment from its origin over HTTP(S) and hashes it as it streams in: nothing but the
 * digest is kept, so a large segment costs no heap. Redirects are not followed (a redirect would
 * take the appliance to a host no policy named), only 200 counts, and a body longer than the limit
 * is abandoned; a byte range is asked with {@code Range:} and only a 206 with exactly that
 * range counts. Certificates are checked against the Java runtime's trust store (on Debian and
 * RHEL the system's, where the enterprise CA is installed). Safe on any thread.
 */
public final class HttpOrigin implements SegmentHashes.Origin {

    private final HttpClient client;
    private final Duration timeout;
    private final String userAgent;

    public HttpOrigin(Duration timeout, String version) {
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
        this.userAgent = "Swarmgate/" + version + " (integrity)";
    }

    @Override
    public CompletableFuture<SegmentHashes.Answer> fetch(SegmentUrl url, long maxBytes) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url.uri())
                .timeout(timeout)
                .header("User-Agent", userAgent)
                .GET();
        if ("http".equalsIgnoreCase(url.uri().getScheme())) {
            // No "Upgrade: h2c" to a plain-HTTP origin: a proxy in front of it that takes any
            // Upgrade for a tunnel would route the request by its own rules, and the hash would be
            // of whatever answered. HTTPS origins still negotiate HTTP/2 through ALPN.
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        SegmentUrl.Range range = url.range();
        if (range != null) {
            if (range.length() > maxBytes) {
                return CompletableFuture.completedFuture(new SegmentHashes.Failed(SegmentHashes.Failure.TOO_LARGE));
            }
            builder.header("Range", "bytes=" + range);
        }
        HttpRequest request = builder.build();
        HttpResponse.BodyHandler<SegmentHashes.Answer> handler = info -> {
            int status = info.statusCode();
            if (range != null) {
                // Only the exact bytes asked for count: a 200 (whole resource) or another range is not
                // what the viewer plays, and hashing it would make every honest peer's bytes "bad".
                String expected = "bytes " + range + "/";
                boolean exact = status == 206 && info.headers().firstValue("content-range")
                        .map(v -> v.startsWith(expected)).orElse(false);
                if (status == 404 || status == 410 || status == 416) {
                    return HttpResponse.BodySubscribers.replacing(new SegmentHashes.Failed(SegmentHashes.Failure.NOT_FOUND));
                }
                return exact ? new Digesting(range.length())
                        : HttpResponse.BodySubscribers.replacing(
                                new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE));
            }
            if (status == 404 || status == 410) {
                return HttpResponse.BodySubscribers.replacing(new SegmentHashes.Failed(SegmentHashes.Failure.NOT_FOUND));
            }
            if (status != 200) {
                return HttpResponse.BodySubscribers.replacing(
                        new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE));
            }
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            if (declared > maxBytes) {
                return HttpResponse.BodySubscribers.replacing(new SegmentHashes.Failed(SegmentHashes.Failure.TOO_LARGE));
            }
            return new Digesting(maxBytes);
        };
        return client.sendAsync(request, handler)
                .thenApply(HttpResponse::body)
                .exceptionally(e -> new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE));
    }

    /** Hashes the body chunk by chunk; gives up (and cancels the body) past the limit. */
    private static final class Digesting implements HttpResponse.BodySubscriber<SegmentHashes.Answer> {
        private final CompletableFuture<SegmentHashes.Answer> result = new CompletableFuture<>();
        private final MessageDigest digest;
        private final long maxBytes;
        private long total;
        private Flow.Subscription subscription;

        Digesting(long maxBytes) {
            this.maxBytes = maxBytes;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the Java runtime has no SHA-256", e);
            }
        }

        @Override
        public CompletionStage<SegmentHashes.Answer> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                total += buffer.remaining();
                if (total > maxBytes) {
                    subscription.cancel();
                    result.complete(new SegmentHashes.Failed(SegmentHashes.Failure.TOO_LARGE));
                    return;
                }
                digest.update(buffer);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.complete(new SegmentHashes.Failed(SegmentHashes.Failure.ORIGIN_UNAVAILABLE));
        }

        @Override
        public void onComplete() {
            result.complete(new SegmentHashes.Known(digest.digest(), total));
        }
    }
}
