package io.swarmgate.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Hook for the appliance's heap figure. The load generator cannot see the server's heap, so
 * with {@code --server-heap-url} it asks an endpoint that answers {@code {"heapUsedBytes": N}}
 * measured after a GC (the appliance's loopback-only {@code /internal/heap}, when
 * {@code diagnostics.heap-endpoint} is on). Without the URL there is no figure.
 */
final class ServerHeapProbe {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final URI url;

    /**
     * @param url the heap endpoint, or {@code null} when none was given
     * @param tls trust for an {@code https} URL ({@code null}: the JVM's defaults)
     */
    ServerHeapProbe(URI url, SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = url == null ? null : builder.build();
        this.url = url;
    }

    boolean enabled() {
        return url != null;
    }

    /** The server's used heap in bytes, or -1 when there is no URL or the answer is unusable. */
    long heapUsedBytes() {
        if (url == null) {
            return -1;
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.err.println("loadgen: " + url + " answered HTTP " + response.statusCode() + "; no heap figure");
                return -1;
            }
            JsonNode bytes = MAPPER.readTree(response.body()).path("heapUsedBytes");
            if (!bytes.canConvertToLong()) {
                System.err.println("loadgen: " + url + " has no numeric heapUsedBytes; no heap figure");
                return -1;
            }
            return bytes.asLong();
        } catch (Exception e) {
            System.err.println("loadgen: cannot read " + url + ": " + e + "; no heap figure");
            return -1;
        }
    }

    /** KiB per peer between two readings, or {@code null} when either is missing or nobody joined. */
    static Double perPeerKib(long before, long after, int peers) {
        if (before < 0 || after < 0 || peers <= 0) {
            return null;
        }
        return (after - before) / 1024.0 / peers;
    }
}
