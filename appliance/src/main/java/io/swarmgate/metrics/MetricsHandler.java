package io.swarmgate.metrics;

import io.swarmgate.mesh.NetworkSet;
import io.swarmgate.api.Json;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: Prometheus text format, for clients inside {@code metrics.allowed-networks}
 * (the TCP peer's address; {@code X-Forwarded-For} is not believed here) or presenting a bearer
 * token that {@link MetricsAuth} accepts. Everyone else gets 403.
 */
public final class MetricsHandler extends Handler.Abstract {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ApplianceMetrics metrics;
    private final NetworkSet allowed;
    private final MetricsAuth auth;

    public MetricsHandler(ApplianceMetrics metrics, List<String> allowedNetworks, MetricsAuth auth) {
        this.metrics = metrics;
        this.allowed = NetworkSet.of(allowedNetworks);
        this.auth = auth;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            Json.error(response, 405, "method_not_allowed", "use GET", callback);
            return true;
        }
        if (!permitted(request)) {
            Json.error(response, 403, "forbidden", "/metrics is open to metrics.allowed-networks or a valid API token",
                    callback);
            return true;
        }
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, HttpMethod.HEAD.is(request.getMethod()) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body),
                callback);
        return true;
    }

    private boolean permitted(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet) {
            InetAddress address = inet.getAddress();
            if (address != null && allowed.contains(address)) {
                return true;
            }
        }
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            return !token.isEmpty() && auth.accepts(token);
        }
        return false;
    }
}
