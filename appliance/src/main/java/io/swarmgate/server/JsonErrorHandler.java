package io.swarmgate.server;

import io.swarmgate.api.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Renders every error Jetty produces itself (no handler matched, bad request line, a failed
 * handler) in the API's JSON error shape, so clients never have to parse an HTML error page and
 * no stack trace or server detail leaks. Responses Jetty writes before any handler ran (400 bad
 * request line, 414, 431) come only through here, so the security headers are added here too.
 */
final class JsonErrorHandler extends ErrorHandler {

    JsonErrorHandler() {
        setShowStacks(false);
        setShowMessageInTitle(false);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        SecurityHeadersHandler.apply(request, response);
        if (response.getStatus() >= 300 && response.getStatus() < 400) {
            // Jetty routes "304 Not Modified" through the error path too; it must go out without a body.
            callback.succeeded();
            return true;
        }
        int status = response.getStatus() < 400 ? HttpStatus.INTERNAL_SERVER_ERROR_500 : response.getStatus();
        if (status == HttpStatus.BAD_REQUEST_400 || status == HttpStatus.URI_TOO_LONG_414
                || status == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431) {
            // Jetty closes the connection after a request it could not parse, without saying so; a
            // client that reused it would send its next request into a closed socket and get no answer.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        String message = switch (status) {
            case HttpStatus.NOT_FOUND_404 -> "no such resource: " + Request.getPathInContext(request);
            case HttpStatus.METHOD_NOT_ALLOWED_405 -> "method " + request.getMethod() + " is not allowed here";
            case HttpStatus.INTERNAL_SERVER_ERROR_500 -> "internal error; the appliance log has the details";
            default -> HttpStatus.getMessage(status);
        };
        Json.error(response, status, code(status), message, callback);
        return true;
    }

    private static String code(int status) {
        return switch (status) {
            case HttpStatus.BAD_REQUEST_400 -> "bad_request";
            case HttpStatus.UNAUTHORIZED_401 -> "unauthenticated";
            case HttpStatus.FORBIDDEN_403 -> "forbidden";
            case HttpStatus.NOT_FOUND_404 -> "not_found";
            case HttpStatus.METHOD_NOT_ALLOWED_405 -> "method_not_allowed";
            case HttpStatus.PAYLOAD_TOO_LARGE_413 -> "payload_too_large";
            case HttpStatus.URI_TOO_LONG_414 -> "uri_too_long";
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "headers_too_large";
            case HttpStatus.SERVICE_UNAVAILABLE_503 -> "unavailable";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }
}
