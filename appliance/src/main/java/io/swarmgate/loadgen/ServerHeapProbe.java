package io.swarmgate.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;

/**
 * Hook for the appliance's heap figure. The load generator cannot see the server's heap, so
 * with {@code --server-heap-url} it asks an endpoint that answers {@code {"heapUsedBytes": N}}
 * measured after a GC (to be added on the server side). Without the URL there is no figure.
 */
final class ServerHeapProbe {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final URI url;

    /** @param url the heap endpoint, or {@code null} when none was given */
    ServerHeapProbe(HttpClient http, URI url) {
        this.http = http;
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
            ContentResponse response = http.newRequest(url).timeout(60, TimeUnit.SECONDS).send();
            if (response.getStatus() != 200) {
                System.err.println("loadgen: " + url + " answered HTTP " + response.getStatus() + "; no heap figure");
                return -1;
            }
            JsonNode bytes = MAPPER.readTree(response.getContentAsString()).path("heapUsedBytes");
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
