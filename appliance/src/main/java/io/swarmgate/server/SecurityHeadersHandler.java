package io.swarmgate.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Adds the appliance's security headers to every response before any other handler runs, so even
 * error pages carry them. The content security policy confines every page the appliance serves to
 * its own origin; {@code blob:} is allowed for media and workers because hls.js plays through Media
 * Source Extensions and starts its transmuxing worker from a blob URL. Console pages may not be
 * framed by anyone.
 */
final class SecurityHeadersHandler extends Handler.Wrapper {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'";
    static final String CONSOLE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'";
    static final String HSTS = "max-age=31536000";

    SecurityHeadersHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        apply(request, response);
        return super.handle(request, response, callback);
    }

    /**
     * Puts the headers on {@code response}. Also called by {@link JsonErrorHandler}: responses
     * Jetty writes itself before any handler runs (a malformed request line, headers too large,
     * a URI too long) go through the error handler only.
     */
    static void apply(Request request, Response response) {
        HttpFields.Mutable headers = response.getHeaders();
        String path = request.getHttpURI() == null || request.getHttpURI().getPath() == null ? ""
                : request.getHttpURI().getPath();
        boolean console = path.startsWith("/console");
        headers.put("Content-Security-Policy", console ? CONSOLE_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        if (console) {
            headers.put("X-Frame-Options", "DENY");
        }
        if (request.isSecure()) {
            headers.put(HttpHeader.STRICT_TRANSPORT_SECURITY, HSTS);
        }
    }
}
