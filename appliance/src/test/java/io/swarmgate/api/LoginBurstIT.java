package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.config.ConfigKey;
import io.swarmgate.signaling.TestViewer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 parallel sign-ins with random names, at the real Argon2id cost, while 100 viewers stay
 * connected: the appliance refuses what it cannot hash with 429 and Retry-After, keeps its heap,
 * keeps answering health checks and keeps serving its viewers.
 */
@Timeout(300)
class LoginBurstIT extends ApiTestBase {

    private static final int VIEWERS = 100;
    private static final int LOGINS = 200;
    private static final int SOURCES = 4;
    /** Far above what the hashing bound admits (a few 64 MiB hashes), far below 200 of them (12.5 GiB). */
    private static final long HEAP_GROWTH_BOUND = 512L << 20;

    @Override
    protected Map<String, String> overrides() {
        // The production memory cost; the back-off set as loose as allowed, so that only the bound
        // on concurrent hashing stands between the burst and the heap.
        return Map.of(ConfigKey.SERVER_HTTP_PORT, "0", ConfigKey.AUTH_ARGON2_MEMORY_KIB, "65536",
                ConfigKey.AUTH_LOCKOUT_FAILURES, "100", "signaling.max-connections-per-ip", "1000");
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aBurstOfRandomSignInsIsRefusedInsteadOfExhaustingTheHeap() throws Exception {
        URI ws = URI.create("ws://127.0.0.1:" + appliance.httpUri().getPort() + "/ws");
        List<TestViewer> viewers = new ArrayList<>();
        List<HttpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < VIEWERS; i++) {
                TestViewer v = TestViewer.connect(ws, "127.0.5." + (i + 1), null);
                viewers.add(v);
                v.joinStream("townhall");
            }
            long before = usedHeapAfterGc();

            for (int i = 0; i < SOURCES; i++) {
                HttpClient c = new HttpClient();
                c.setBindAddress(new InetSocketAddress("127.0.30." + (i + 1), 0));
                c.setMaxConnectionsPerDestination(LOGINS);
                c.start();
                // The API's 401 carries no WWW-Authenticate challenge (no HTTP authentication scheme applies).
                c.getProtocolHandlers().clear();
                clients.add(c);
            }
            List<CompletableFuture<ContentResponse>> logins = new ArrayList<>();
            for (int i = 0; i < LOGINS; i++) {
                String body = "{\"username\":\"u" + UUID.randomUUID().toString().replace("-", "").substring(0, 20)
                        + "\",\"password\":\"" + UUID.randomUUID() + "\"}";
                logins.add(new CompletableResponseListener(clients.get(i % SOURCES)
                        .POST(appliance.httpUri().resolve("/api/v1/session"))
                        .body(new StringRequestContent("application/json", body))
                        .timeout(120, TimeUnit.SECONDS)).send());
            }
            int refused = 0;
            for (CompletableFuture<ContentResponse> f : logins) {
                ContentResponse r = f.get(150, TimeUnit.SECONDS);
                if (r.getStatus() == 429) {
                    refused++;
                    assertTrue(r.getContentAsString().contains("\"too_many_attempts\""), r.getContentAsString());
                    assertTrue(r.getHeaders().contains("Retry-After"), "429 says when to retry");
                } else {
                    assertEquals(401, r.getStatus(), r.getContentAsString());
                }
            }
            assertTrue(refused > 0, "some sign-ins were refused rather than queued");

            ContentResponse health = clients.get(0).GET(appliance.httpUri().resolve("/healthz"));
            assertEquals(200, health.getStatus());
            for (TestViewer v : viewers) {
                assertTrue(v.isOpen(), "viewer still connected");
                v.drainThroughPong();
            }
            long growth = usedHeapAfterGc() - before;
            assertTrue(growth < HEAP_GROWTH_BOUND, "heap grew by " + (growth >> 20) + " MiB");
        } finally {
            for (HttpClient c : clients) {
                c.stop();
            }
            for (TestViewer v : viewers) {
                v.close();
            }
        }
    }
}
