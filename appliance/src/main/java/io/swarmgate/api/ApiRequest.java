package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.Actor;
import java.net.InetAddress;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** A matched API call: who, path parameters, query, and the already size-checked body. */
public final class ApiRequest {

    private final Request request;
    private final Principal principal;
    private final Map<String, String> params;
    private final String body;
    private final InetAddress client;
    private JsonNode json;

    ApiRequest(Request request, Principal principal, Map<String, String> params, String body, InetAddress client) {
        this.request = request;
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

    public String query(String name) {
        Fields fields = Request.extractQueryParameters(request);
        Fields.Field f = fields.get(name);
        return f == null ? null : f.getValue();
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
                json = Json.MAPPER.readTree(body == null ? "" : body);
            } catch (java.io.IOException e) {
                throw new ApiException(400, "invalid_json", "the body is not valid JSON");
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
        if (v == null || v.isNull()) {
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

    public String optionalString(String field, int max) throws ApiException {
        JsonNode v = json().get(field);
        return v == null || v.isNull() ? null : string(field, max);
    }
}
