package io.swarmgate.api;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.swarmgate.audit.Actor;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * A matched API call: who, path parameters, query, and the already size-checked UTF-8 body.
 * {@link ApiHandler} has checked the declared inputs against the route's schemas before the
 * endpoint sees them.
 */
public final class ApiRequest {

    /**
     * Request bodies are read strictly: a field given twice or text after the object is a malformed
     * body, not something to resolve by guessing which part the client meant.
     */
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Request request;
    private final Route route;
    private final Principal principal;
    private final Map<String, String> params;
    private final String body;
    private final InetAddress client;
    private Fields query;
    private JsonNode json;

    ApiRequest(Request request, Route route, Principal principal, Map<String, String> params, String body,
               InetAddress client) {
        this.request = request;
        this.route = route;
        this.principal = principal;
        this.params = params;
        this.body = body;
        this.client = client;
    }

    /** The client's address: the TCP peer, or the X-Forwarded-For client behind a trusted proxy. */
    public InetAddress client() {
        return client;
    }

    public Principal principal() {
        return principal;
    }

    /** Who is calling, as the audit log records it: the username or {@code token:<id>}, and the address. */
    public Actor actor() {
        return Actor.of(principal == null ? "anonymous" : principal.name(), client);
    }

    public String param(String name) {
        return params.get(name);
    }

    /**
     * A query parameter the route declares, or null when absent.
     *
     * @throws IllegalStateException if the route does not declare it: every input an endpoint
     *                               reads is documented and checked
     */
    public String query(String name) throws ApiException {
        if (!route.declaresQuery(name)) {
            throw new IllegalStateException(route.method() + " " + route.template() + " reads query parameter "
                    + name + " without declaring it");
        }
        Fields.Field f = queryFields().get(name);
        return f == null ? null : f.getValue();
    }

    /**
     * A boolean query parameter: exactly {@code true} or {@code false}, {@code fallback} when absent.
     * Anything else ({@code 1}, {@code yes}, {@code TRUE}, empty) is refused rather than read as
     * false, since a misread flag such as {@code dryRun} would apply a change the client meant to
     * preview.
     */
    public boolean flag(String name, boolean fallback) throws ApiException {
        String v = query(name);
        if (v == null) {
            return fallback;
        }
        if (!"true".equals(v) && !"false".equals(v)) {
            throw ApiException.badRequest(name, name + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** Every query parameter as sent; 400 {@code invalid_query} when the query string is not decodable. */
    Fields queryFields() throws ApiException {
        if (query == null) {
            try {
                query = Request.extractQueryParameters(request);
            } catch (RuntimeException e) {
                // Jetty reports bad percent-encoding and bad UTF-8 as runtime exceptions of several types.
                throw new ApiException(400, "invalid_query", "the query string is not percent-encoded UTF-8",
                        null, List.of());
            }
        }
        return query;
    }

    public String body() {
        return body;
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    public Request jetty() {
        return request;
    }

    /** The body as a JSON object; 400 {@code invalid_json} otherwise. */
    public JsonNode json() throws ApiException {
        if (json == null) {
            try {
                json = READER.readTree(body == null ? "" : body);
            } catch (java.io.IOException e) {
                throw new ApiException(400, "invalid_json", "the body is not valid JSON: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
            if (json == null || !json.isObject()) {
                throw new ApiException(400, "invalid_json", "the body must be a JSON object");
            }
        }
        return json;
    }

    /** A required string field of the JSON body. */
    public String string(String field, int max) throws ApiException {
        JsonNode v = json().get(field);
        if (v == null) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string");
        }
        if (v.asText().length() > max) {
            throw ApiException.badRequest(field, field + " is longer than " + max + " characters");
        }
        return v.asText();
    }

    /** An optional string field: null when absent; JSON {@code null} is refused like any other non-string. */
    public String optionalString(String field, int max) throws ApiException {
        return json().has(field) ? string(field, max) : null;
    }
}
