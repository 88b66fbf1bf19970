package io.swarmgate.api;

import io.swarmgate.console.Sessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code GET /openapi.json}: an OpenAPI 3 document generated from the route table itself, so
 * every endpoint the appliance answers is documented and none is documented that it does not. Each
 * route brings its parameters, body and answers ({@link Route}); this class adds what
 * {@link ApiHandler} does for every route — sign-in, CSRF, body size and input checks — and the
 * shared {@code Error} schema.
 */
public final class OpenApi {

    /** The error body of every 4xx answer. */
    static final Schema ERROR = Schema.object().required("error", Schema.object()
            .required("code", Schema.string().describe("stable, machine-readable: listed per answer in x-error-codes"))
            .required("message", Schema.string().describe("for people: what was wrong and what is accepted"))
            .optional("field", Schema.string().describe("the request field, parameter or body the problem is about"))
            .optional("problems", Schema.arrayOf(Schema.string()).describe("each problem, e.g. one per bad CSV line")))
            .named("Error");

    private final Supplier<List<Route>> routes;
    private final String version;

    public OpenApi(Supplier<List<Route>> routes, String version) {
        this.routes = routes;
        this.version = version;
    }

    public Route route() {
        return Route.get("/openapi.json", null, "This OpenAPI document", r -> document())
                .returns(200, "the OpenAPI 3.0 document", Schema.object()
                        .required("openapi", Schema.string())
                        .required("info", Schema.object())
                        .required("servers", Schema.arrayOf(Schema.object()))
                        .required("paths", Schema.object())
                        .required("components", Schema.object()));
    }

    Map<String, Object> document() {
        Map<String, Object> schemas = new TreeMap<>();
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes.get()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.template(), k -> new LinkedHashMap<>());
            item.put(r.method().toLowerCase(Locale.ROOT), operation(r, schemas));
        }
        ERROR.toOpenApi(schemas);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "Swarmgate appliance API", "version", version,
                "description", "Administration API of the appliance. Sign in with POST /session (session cookie, and"
                        + " the " + ApiHandler.CSRF_HEADER + " header from its answer on every call that changes"
                        + " something) or send an API token as 'Authorization: Bearer sgt_…'. Bodies are UTF-8."
                        + " Every refusal is a 4xx with {\"error\":{\"code\",\"message\",\"field\"?,\"problems\"?}};"
                        + " the codes each answer may carry are listed in its x-error-codes. Query parameters an"
                        + " operation does not declare are refused (unknown_parameter); body fields it does not"
                        + " declare are ignored."));
        doc.put("servers", List.of(Map.of("url", ApiHandler.PREFIX)));
        doc.put("paths", paths);
        doc.put("components", Map.of("securitySchemes", securitySchemes(), "schemas", schemas));
        return doc;
    }

    private static Map<String, Object> securitySchemes() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("session", Map.of("type", "apiKey", "in", "cookie", "name", Sessions.COOKIE,
                "description", "the console session, set by POST /session"));
        s.put("csrf", Map.of("type", "apiKey", "in", "header", "name", ApiHandler.CSRF_HEADER,
                "description", "csrfToken from the session; required with the session cookie on every method but"
                        + " GET and HEAD"));
        s.put("token", Map.of("type", "http", "scheme", "bearer",
                "description", "an API token (sgt_…) created under /tokens; no CSRF header needed"));
        return s;
    }

    private static Map<String, Object> operation(Route r, Map<String, Object> schemas) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", operationId(r));
        op.put("summary", r.summary());
        op.put("tags", List.of(r.template().split("/")[1].replace(".json", "")));
        boolean changes = !"GET".equals(r.method());
        if (r.role() == null) {
            op.put("security", List.of());
        } else {
            op.put("security", List.of(changes ? Map.of("session", List.of(), "csrf", List.of())
                    : Map.of("session", List.of()), Map.of("token", List.of())));
            op.put("x-swarmgate-role", r.role().wire());
        }
        List<Object> params = new ArrayList<>();
        for (Route.Parameter p : r.parameters()) {
            Map<String, Object> param = new LinkedHashMap<>();
            param.put("name", p.name());
            param.put("in", p.inPath() ? "path" : "query");
            param.put("required", p.required());
            param.put("description", p.description());
            param.put("schema", p.schema().toOpenApi(schemas));
            params.add(param);
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (r.body() != null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("required", true);
            if (r.body().description() != null) {
                body.put("description", r.body().description());
            }
            body.put("content", Map.of(r.body().mediaType(), Map.of("schema", r.body().schema().toOpenApi(schemas))));
            op.put("requestBody", body);
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        for (Route.Reply reply : r.replies()) {
            if (!reply.isError()) {
                Map<String, Object> ok = new LinkedHashMap<>();
                ok.put("description", reply.description());
                if (reply.schema() != null) {
                    ok.put("content", Map.of(reply.mediaType(), Map.of("schema", reply.schema().toOpenApi(schemas))));
                }
                responses.put(Integer.toString(reply.status()), ok);
            }
        }
        errors(r).forEach((status, codes) -> {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("description", errorDescription(codes));
            error.put("content", Map.of("application/json", Map.of("schema", ERROR.toOpenApi(schemas))));
            error.put("x-error-codes", List.copyOf(codes.keySet()));
            responses.put(Integer.toString(status), error);
        });
        op.put("responses", responses);
        return op;
    }

    private static String errorDescription(Map<String, String> codes) {
        List<String> parts = new ArrayList<>();
        codes.forEach((code, why) -> parts.add(why.isEmpty() ? code : code + " (" + why + ")"));
        return String.join("; ", parts);
    }

    /**
     * Every error answer the route can give, status → (code → why): the ones {@link ApiHandler}
     * gives for every route of this shape, then the route's own.
     */
    static Map<Integer, Map<String, String>> errors(Route r) {
        Map<Integer, Map<String, String>> e = new TreeMap<>();
        boolean changes = !"GET".equals(r.method());
        add(e, 400, "bad_request", "the request line itself is malformed, such as a bad percent-escape in the path;"
                + " answered by the HTTP server before any check");
        add(e, 400, "invalid_query", "the query string is not percent-encoded UTF-8");
        add(e, 400, "unknown_parameter", "a query parameter the operation does not take");
        if (!r.parameters().isEmpty() || r.body() != null) {
            add(e, 400, "invalid_field", "an input does not match its schema; field names it");
        }
        if (r.parameters().stream().anyMatch(Route.Parameter::inPath)) {
            add(e, 400, "invalid_path", "a path parameter is not percent-encoded UTF-8");
        }
        if (r.body() != null) {
            add(e, 400, "invalid_encoding", "the body is not UTF-8");
            if (r.body().isJson()) {
                add(e, 400, "invalid_json", "the body is not one JSON object");
            }
        }
        // Any bearer header is checked, and a session cookie needs the CSRF header on changes, even
        // on the operations that need no sign-in.
        add(e, 401, "token_invalid", "the API token is unknown, revoked or expired, or its owner lost the role");
        if (changes) {
            add(e, 403, "csrf_token_invalid", "signed in with the cookie but without the right "
                    + ApiHandler.CSRF_HEADER + " header");
        }
        if (r.role() != null) {
            add(e, 401, "unauthenticated", "no session and no API token");
            add(e, 403, "forbidden", "needs the " + r.role().wire() + " role");
            add(e, 403, "password_change_required", "the session must change its one-time password first");
        }
        if ("POST".equals(r.method()) || "PUT".equals(r.method())) {
            add(e, 413, "payload_too_large", "the body is larger than " + ApiHandler.MAX_BODY + " bytes");
        }
        for (Route.Reply reply : r.replies()) {
            if (reply.isError()) {
                for (String code : reply.codes()) {
                    add(e, reply.status(), code, reply.description());
                }
            }
        }
        return e;
    }

    private static void add(Map<Integer, Map<String, String>> errors, int status, String code, String why) {
        errors.computeIfAbsent(status, s -> new LinkedHashMap<>()).merge(code, why == null ? "" : why,
                (a, b) -> a.isEmpty() ? b : a);
    }

    private static String operationId(Route r) {
        StringBuilder id = new StringBuilder(r.method().toLowerCase(Locale.ROOT));
        for (String part : r.template().split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return id.toString();
    }
}
