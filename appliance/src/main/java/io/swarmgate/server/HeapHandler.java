package io.swarmgate.server;

import io.swarmgate.api.Json;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /internal/heap}, mapped only when {@code diagnostics.heap-endpoint} is true: runs
 * {@link System#gc()} a few times and answers {@code {"heapUsedBytes": N}}, the heap in use
 * afterwards. For benchmarks (the load generator's {@code --server-heap-url}, tools/loadgen). Read-only. It answers
 * only on the plain-HTTP listener and only to a TCP peer of 127.0.0.1 or ::1 ({@code X-Forwarded-For}
 * is ignored); every other request is declined and gets the server's 404 for an unmapped path, so the endpoint is
 * invisible from the network.
 */
final class HeapHandler extends Handler.Abstract {

    /** Collections per reading: a second one catches what finalization and reference processing freed. */
    static final int GC_ROUNDS = 3;

    private final String plainConnectorName;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    /** @param plainConnectorName the name of the plain-HTTP connector, the only one answered */
    HeapHandler(String plainConnectorName) {
        this.plainConnectorName = plainConnectorName;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!allowed(request)) {
            return false; // the server's ordinary 404, as for a path that is not mapped
        }
        if (!"GET".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "GET");
            Json.error(response, HttpStatus.METHOD_NOT_ALLOWED_405, "method_not_allowed",
                    "only GET is allowed on /internal/heap", callback);
            return true;
        }
        Json.write(response, HttpStatus.OK_200, Map.of("heapUsedBytes", heapUsedAfterGc()), callback);
        return true;
    }

    private boolean allowed(Request request) {
        String connector = request.getConnectionMetaData().getConnector().getName();
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return plainConnectorName.equals(connector) && remote instanceof InetSocketAddress inet
                && isLocalhost(inet.getAddress());
    }

    /** Exactly 127.0.0.1 or ::1, not the rest of 127.0.0.0/8 (which benchmarks use as clients). */
    static boolean isLocalhost(InetAddress address) {
        byte[] b = address == null ? new byte[0] : address.getAddress();
        if (b.length == 4) {
            return b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1;
        }
        if (b.length == 16) {
            for (int i = 0; i < 15; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return b[15] == 1;
        }
        return false;
    }

    /** One reading at a time: concurrent callers would only multiply the pauses. */
    private synchronized long heapUsedAfterGc() {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
