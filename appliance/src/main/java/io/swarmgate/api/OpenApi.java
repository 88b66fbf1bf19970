package io.swarmgate.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /openapi.json}: an OpenAPI 3 document generated from the route table itself, so
 * every endpoint the appliance answers is documented and none is documented that it does not.
 */
public final class OpenApi {

    private final Supplier<List<Route>> routes;
    private final String version;

    public OpenApi(Supplier<List<Route>> routes, String version) {
        this.routes = routes;
        this.version = version;
    }

    public Route route() {
        return new Route("GET", "/openapi.json", null, r -> document(), "This OpenAPI document", null,
                "OpenAPI 3.0 JSON");
    }

    Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "Swarmgate appliance API", "version", version,
                "description", "Administration API of the appliance. Sign in with POST /session (cookie + CSRF header "
                        + ApiHandler.CSRF_HEADER + " on state-changing calls) or send an API token as "
                        + "'Authorization: Bearer …'. Errors: {\"error\":{\"code\",\"message\",\"field\"?}}."));
        doc.put("servers", List.of(Map.of("url", ApiHandler.PREFIX)));
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes.get()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.template(), k -> new LinkedHashMap<>());
            item.put(r.method().toLowerCase(Locale.ROOT), operation(r));
        }
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of(
                        "session", Map.of("type", "apiKey", "in", "cookie", "name", io.swarmgate.console.Sessions.COOKIE),
                        "token", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of("Error", Map.of("type", "object", "properties", Map.of("error", Map.of(
                        "type", "object", "required", List.of("code", "message"),
                        "properties", Map.of("code", Map.of("type", "string"), "message", Map.of("type", "string"),
                                "field", Map.of("type", "string"),
                                "problems", Map.of("type", "array", "items", Map.of("type", "string")))))))));
        return doc;
    }

    private static Map<String, Object> operation(Route r) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", (r.method() + r.template()).replaceAll("[^A-Za-z0-9]+", "_"));
        op.put("summary", r.summary());
        if (r.role() == null) {
            op.put("security", List.of());
        } else {
            op.put("security", List.of(Map.of("session", List.of()), Map.of("token", List.of())));
            op.put("x-swarmgate-role", r.role().wire());
        }
        List<Object> params = r.parameterNames().stream().<Object>map(p -> Map.of("name", p, "in", "path",
                "required", true, "schema", Map.of("type", "string"))).toList();
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (r.requestBody() != null) {
            String type = r.requestBody().startsWith("text/csv") ? "text/csv"
                    : r.requestBody().startsWith("PEM") ? "application/x-pem-file" : "application/json";
            op.put("requestBody", Map.of("required", true, "description", r.requestBody(),
                    "content", Map.of(type, Map.of("schema", Map.of("type", type.equals("application/json") ? "object" : "string")))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        String ok = "204".equals(r.response()) ? "204" : "POST".equals(r.method()) && r.summary().startsWith("Create") ? "201" : "200";
        responses.put(ok, Map.of("description", r.response()));
        Map<String, Object> error = Map.of("description", "error", "content",
                Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/Error"))));
        responses.put("400", error);
        if (r.role() != null) {
            responses.put("401", error);
            responses.put("403", error);
        }
        if (!r.parameterNames().isEmpty()) {
            responses.put("404", error);
        }
        op.put("responses", responses);
        return op;
    }
}
