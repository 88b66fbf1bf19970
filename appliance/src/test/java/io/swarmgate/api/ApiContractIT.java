package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The API against its own {@code openapi.json}. Everything here is derived from the document the
 * appliance serves, so a route added without schemas, or one that answers malformed input with
 * anything but a documented 4xx, fails here without this test knowing the route.
 */
@Timeout(600)
class ApiContractIT extends ApiTestBase {

    /** Whether a request's input breaks the document (must be refused) or only stays odd within it. */
    private enum Expect { REFUSED, NO_SERVER_ERROR }

    /** One request built from the document. */
    private record Case(String why, String path, Map<String, List<String>> query, byte[] body, Expect expect) {
    }

    @Test
    void everyOperationDeclaresItsParametersBodyAndAnswers() throws Exception {
        OpenApiDocument api = new OpenApiDocument(json(new Client().get("/openapi.json")));
        List<String> missing = new ArrayList<>();
        assertEquals(appliance.apiRoutes().size(), api.operations().size(), "one operation per route");
        JsonNode schemes = api.doc.at("/components/securitySchemes");
        assertEquals("cookie", schemes.at("/session/in").asText());
        assertEquals(ApiHandler.CSRF_HEADER, schemes.at("/csrf/name").asText());
        assertEquals("bearer", schemes.at("/token/scheme").asText());
        assertEquals("[\"code\",\"message\"]", api.resolve(api.doc.at("/components/schemas/Error"))
                .at("/properties/error/required").toString());
        for (OpenApiDocument.Operation op : api.operations()) {
            JsonNode o = op.node();
            for (String key : List.of("operationId", "summary", "security", "responses")) {
                if (!o.has(key)) {
                    missing.add(op + ": no " + key);
                }
            }
            if (o.has("x-swarmgate-role")) {
                String security = o.get("security").toString();
                if (!security.contains("\"token\"") || !security.contains("\"session\"")
                        || !"get".equals(op.method()) && !security.contains("\"csrf\"")) {
                    missing.add(op + ": security " + security);
                }
            }
            Matcher templated = Pattern.compile("\\{([^}]+)}").matcher(op.path());
            while (templated.find()) {
                String name = templated.group(1);
                boolean declared = op.parameters().stream().anyMatch(p -> p.path("name").asText().equals(name)
                        && "path".equals(p.path("in").asText()) && p.path("required").asBoolean()
                        && bounded(api.resolve(p.get("schema"))));
                if (!declared) {
                    missing.add(op + ": path parameter " + name + " without a bounded schema");
                }
            }
            for (JsonNode p : op.parameters()) {
                if (!p.has("schema") || !p.has("description")) {
                    missing.add(op + ": parameter " + p.path("name").asText() + " without schema or description");
                }
            }
            if (op.bodyType() != null) {
                JsonNode body = api.resolve(op.bodySchema());
                if (body == null || !body.has("type")) {
                    missing.add(op + ": request body without a schema");
                } else if ("application/json".equals(op.bodyType())) {
                    if (!"object".equals(body.path("type").asText()) || !body.has("properties")) {
                        missing.add(op + ": JSON body is not an object with properties");
                    }
                    unboundedInputs(api, body, op + " body", missing);
                }
            } else if (("post".equals(op.method()) || "put".equals(op.method())) && o.has("requestBody")) {
                missing.add(op + ": requestBody without content");
            }
            boolean success = false;
            for (Map.Entry<String, JsonNode> r : o.path("responses").properties()) {
                int status = Integer.parseInt(r.getKey());
                JsonNode content = r.getValue().path("content");
                if (status < 300) {
                    success = true;
                    if (status != 204 && (content.isEmpty()
                            || api.resolve(content.properties().iterator().next().getValue().path("schema")) == null)) {
                        missing.add(op + ": " + status + " without a body schema");
                    }
                } else if (!"#/components/schemas/Error".equals(content.at("/application~1json/schema/$ref").asText())
                        || r.getValue().path("x-error-codes").isEmpty()) {
                    missing.add(op + ": " + status + " without the Error schema and its codes");
                }
            }
            if (!success) {
                missing.add(op + ": no success answer");
            }
        }
        for (JsonNode schema : api.allSchemas()) {
            if (schema.has("$ref") && api.resolve(schema) == null) {
                missing.add("unresolvable " + schema);
            }
            if (schema.has("pattern") && !schema.has("example")) {
                missing.add("a pattern without an example: " + schema.get("pattern"));
            }
            if (schema.has("example") && !api.problems(schema, schema.get("example"), false).isEmpty()) {
                missing.add("an example its own schema refuses: " + schema.get("example"));
            }
        }
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    /** Path parameters must say what they accept, or a fuzzer cannot tell a bad one from a missing resource. */
    private static boolean bounded(JsonNode schema) {
        return schema != null && (schema.has("maxLength") || schema.has("pattern") || schema.has("enum"));
    }

    /** Every string in a JSON body has a length limit or a fixed set of values; every integer a range. */
    private static void unboundedInputs(OpenApiDocument api, JsonNode schemaOrRef, String at, List<String> out) {
        JsonNode s = api.resolve(schemaOrRef);
        switch (s.path("type").asText()) {
            case "string" -> {
                if (!s.has("maxLength") && !s.has("enum")) {
                    out.add(at + ": a string without maxLength");
                }
            }
            case "integer" -> {
                if (!s.has("minimum") || !s.has("maximum")) {
                    out.add(at + ": an integer without minimum and maximum");
                }
            }
            case "array" -> unboundedInputs(api, s.get("items"), at + "[]", out);
            case "object" -> {
                s.path("properties").properties().forEach(p -> unboundedInputs(api, p.getValue(),
                        at + "." + p.getKey(), out));
                if (s.has("additionalProperties")) {
                    unboundedInputs(api, s.get("additionalProperties"), at + ".*", out);
                }
            }
            default -> {
            }
        }
    }

    @Test
    void malformedInputToEveryOperationIsRefusedWithADocumented4xxAndNothingIsAServerError() throws Exception {
        Client session = admin();
        Client token = tokenClient(session, "admin");
        OpenApiDocument api = new OpenApiDocument(json(new Client().get("/openapi.json")));
        Map<String, String> existing = fixtures(token);

        List<String> failures = new ArrayList<>();
        Map<String, int[]> statuses = new TreeMap<>();
        int requests = 0;
        for (OpenApiDocument.Operation op : api.operations()) {
            // An API token has no password to change: operations documented as needing a session get one.
            Client client = op.errorCodes().contains("session_required") ? session : token;
            for (Case c : cases(api, op, existing)) {
                HttpResponse<String> r;
                requests++;
                try {
                    r = send(client, op, c);
                } catch (java.io.IOException e) {
                    failures.add(op + " " + c.why() + " -> no answer: " + e.getMessage());
                    continue;
                }
                statuses.computeIfAbsent(op.toString(), k -> new int[6])[r.statusCode() / 100]++;
                String problem = judge(api, op, c, r);
                if (problem != null) {
                    failures.add(op + " " + c.why() + " -> " + r.statusCode() + " " + shorten(r.body()) + ": " + problem);
                }
            }
            // Malformed percent-escapes, which the JDK client refuses to send, written on the socket.
            for (String target : List.of(op.path().replaceAll("\\{[^}]+}", "%zz"), op.path() + "?%zz=1")) {
                if (target.contains("%zz")) {
                    requests++;
                    String answer = raw(op.method().toUpperCase() + " " + ApiHandler.PREFIX + target
                            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close"
                            + (client.bearer != null ? "\r\nAuthorization: Bearer " + client.bearer : ""));
                    if (!answer.matches("(?s)HTTP/1\\.1 4\\d\\d .*\"code\".*")) {
                        failures.add(op + " raw " + target + " -> " + shorten(answer));
                    }
                }
            }
        }
        System.out.println("ApiContractIT: " + requests + " requests over " + api.operations().size() + " operations");
        statuses.forEach((op, n) -> System.out.printf("  %-40s 2xx %4d  4xx %4d  5xx %d%n", op, n[2], n[4], n[5]));
        assertTrue(failures.isEmpty(), failures.size() + " bad answers:\n"
                + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
        for (OpenApiDocument.Operation op : api.operations()) {
            if ("get".equals(op.method())) {
                assertTrue(statuses.get(op.toString())[2] > 0, op + " never answered 2xx, so its schema went unchecked");
            }
        }
    }

    /** Objects for the path parameters to name, so requests reach the endpoint rather than stop at 404. */
    private Map<String, String> fixtures(Client token) throws Exception {
        Map<String, String> existing = new LinkedHashMap<>();
        assertEquals(201, token.send("POST", "/streams", "{\"id\":\"fuzzed\"}").statusCode());
        existing.put("streams.id", "fuzzed");
        assertEquals(201, token.send("POST", "/admins", "{\"username\":\"fuzzer\",\"role\":\"operator\"}").statusCode());
        existing.put("admins.username", "fuzzer");
        HttpResponse<String> t = token.send("POST", "/tokens", "{\"name\":\"to revoke\",\"role\":\"auditor\"}");
        existing.put("tokens.id", json(t).get("id").asText());
        assertEquals(201, token.send("POST", "/sites", "{\"cidr\":\"10.99.0.0/16\",\"site\":\"fuzz\"}").statusCode());
        return existing;
    }

    /** The requests for one operation: the valid one, each way of breaking it, and odd values within it. */
    private static List<Case> cases(OpenApiDocument api, OpenApiDocument.Operation op, Map<String, String> existing) {
        Map<String, String> path = new LinkedHashMap<>();
        Map<String, List<String>> query = new LinkedHashMap<>();
        List<JsonNode> queryParams = new ArrayList<>();
        for (JsonNode p : op.parameters()) {
            String name = p.get("name").asText();
            if ("path".equals(p.get("in").asText())) {
                String fixture = existing.get(op.path().split("/")[1] + "." + name);
                path.put(name, fixture != null ? fixture : api.example(p.get("schema")).asText());
            } else {
                queryParams.add(p);
                if (p.path("required").asBoolean()) {
                    query.put(name, List.of(api.example(p.get("schema")).asText()));
                }
            }
        }
        boolean jsonBody = "application/json".equals(op.bodyType());
        JsonNode bodyValue = op.bodyType() == null ? null : api.example(op.bodySchema());
        byte[] body = bodyValue == null ? null : bytes(jsonBody ? bodyValue.toString() : bodyValue.asText());

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("as documented", fill(op.path(), path), query, body, Expect.NO_SERVER_ERROR));
        cases.add(new Case("with an undeclared query parameter", fill(op.path(), path),
                with(query, "unexpected", List.of("1")), body, Expect.REFUSED));

        for (JsonNode p : op.parameters()) {
            String name = p.get("name").asText();
            JsonNode schema = p.get("schema");
            List<String> bad = new ArrayList<>();
            api.invalidValues(schema).stream().filter(JsonNode::isTextual).map(JsonNode::asText).forEach(bad::add);
            if ("boolean".equals(api.resolve(schema).path("type").asText())) {
                bad.addAll(List.of("1", "0", "yes", "TRUE", "True", "", "null"));
            }
            bad.removeIf(v -> api.validParameter(schema, v));
            List<String> odd = OpenApiDocument.JUNK.stream().filter(v -> !bad.contains(v)).toList();
            if ("path".equals(p.get("in").asText())) {
                for (String v : bad) {
                    if (addressable(v)) {
                        cases.add(new Case("path " + name + "=" + quote(v), fill(op.path(), with(path, name, v)), query,
                                body, Expect.REFUSED));
                    }
                }
                for (String v : odd) {
                    if (addressable(v)) {
                        cases.add(new Case("path " + name + "=" + quote(v), fill(op.path(), with(path, name, v)), query,
                                body, api.validParameter(schema, v) ? Expect.NO_SERVER_ERROR : Expect.REFUSED));
                    }
                }
            } else {
                for (String v : bad) {
                    cases.add(new Case("query " + name + "=" + quote(v), fill(op.path(), path),
                            with(query, name, List.of(v)), body, Expect.REFUSED));
                }
                for (String v : odd) {
                    cases.add(new Case("query " + name + "=" + quote(v), fill(op.path(), path),
                            with(query, name, List.of(v)), body,
                            api.validParameter(schema, v) ? Expect.NO_SERVER_ERROR : Expect.REFUSED));
                }
                String good = api.example(schema).asText();
                cases.add(new Case("query " + name + " given twice", fill(op.path(), path),
                        with(query, name, List.of(good, good)), body, Expect.REFUSED));
                if (p.path("required").asBoolean()) {
                    Map<String, List<String>> without = new LinkedHashMap<>(query);
                    without.remove(name);
                    cases.add(new Case("without query " + name, fill(op.path(), path), without, body, Expect.REFUSED));
                }
            }
        }

        if (op.bodyType() != null) {
            String target = fill(op.path(), path);
            cases.add(new Case("without a body", target, query, new byte[0],
                    api.problems(op.bodySchema(), jsonBody ? null : com.fasterxml.jackson.databind.node.TextNode.valueOf(""),
                            false).isEmpty() ? Expect.NO_SERVER_ERROR : Expect.REFUSED));
            cases.add(new Case("with a body that is not UTF-8", target, query,
                    new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, '(', '"', '}'}, Expect.REFUSED));
            if (jsonBody) {
                String first = api.resolve(op.bodySchema()).path("properties").fieldNames().next();
                for (String broken : List.of("{", "{\"a\":}", "{} {}", "[]", "\"text\"", "42", "null", "{'a':1}",
                        "{\"" + first + "\":1,\"" + first + "\":2}", "[".repeat(5000) + "]".repeat(5000))) {
                    cases.add(new Case("with body " + quote(broken), target, query, bytes(broken), Expect.REFUSED));
                }
                for (JsonNode bad : api.invalidValues(op.bodySchema())) {
                    cases.add(new Case("with body " + quote(bad.toString()), target, query, bytes(bad.toString()),
                            Expect.REFUSED));
                }
                ObjectNode base = (ObjectNode) bodyValue;
                api.resolve(op.bodySchema()).path("properties").properties().forEach(f -> {
                    for (JsonNode odd : api.junkValues(f.getValue())) {
                        JsonNode b = base.deepCopy().set(f.getKey(), odd);
                        cases.add(new Case("with body " + quote(b.toString()), target, query, bytes(b.toString()),
                                api.problems(op.bodySchema(), b, false).isEmpty() ? Expect.NO_SERVER_ERROR
                                        : Expect.REFUSED));
                    }
                });
            } else {
                for (JsonNode bad : api.invalidValues(op.bodySchema())) {
                    if (bad.isTextual()) {
                        cases.add(new Case("with body " + quote(bad.asText()), target, query, bytes(bad.asText()),
                                Expect.REFUSED));
                    }
                }
                for (JsonNode odd : api.junkValues(op.bodySchema())) {
                    cases.add(new Case("with body " + quote(odd.asText()), target, query, bytes(odd.asText()),
                            api.problems(op.bodySchema(), odd, false).isEmpty() ? Expect.NO_SERVER_ERROR
                                    : Expect.REFUSED));
                }
            }
        }
        return cases;
    }

    /**
     * What is wrong with an answer, or null: never a server error; malformed input refused with a
     * 4xx; every 4xx a JSON error whose status and code the operation documents; every success
     * documented and shaped as its schema says.
     */
    private static String judge(OpenApiDocument api, OpenApiDocument.Operation op, Case c, HttpResponse<String> r)
            throws Exception {
        int status = r.statusCode();
        if (status >= 500) {
            return "a server error";
        }
        if (c.expect() == Expect.REFUSED && status < 400) {
            return "malformed input was accepted";
        }
        JsonNode documented = op.response(status);
        if (documented.isMissingNode()) {
            return "status " + status + " is not documented";
        }
        if (status >= 400) {
            JsonNode error;
            try {
                error = json(r);
            } catch (Exception e) {
                return "the error is not JSON";
            }
            List<String> problems = api.problems(api.doc.at("/components/schemas/Error"), error, true);
            if (!problems.isEmpty()) {
                return "the error does not match the Error schema: " + problems;
            }
            String code = error.at("/error/code").asText();
            Set<String> codes = new java.util.HashSet<>();
            documented.path("x-error-codes").forEach(x -> codes.add(x.asText()));
            return codes.contains(code) ? null : "code " + code + " is not documented for " + status;
        }
        if (status == 204) {
            return r.body().isEmpty() ? null : "204 with a body";
        }
        String type = documented.path("content").fieldNames().next();
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith(type)) {
            return "Content-Type " + r.headers().firstValue("Content-Type").orElse("none") + " instead of " + type;
        }
        if ("application/json".equals(type)) {
            List<String> problems = api.problems(documented.at("/content/application~1json/schema"), json(r), true);
            return problems.isEmpty() ? null : "the answer does not match its schema: " + problems;
        }
        return null;
    }

    private HttpResponse<String> send(Client client, OpenApiDocument.Operation op, Case c) throws Exception {
        StringBuilder target = new StringBuilder(ApiHandler.PREFIX + c.path());
        String sep = "?";
        for (Map.Entry<String, List<String>> q : c.query().entrySet()) {
            for (String v : q.getValue()) {
                target.append(sep).append(URLEncoder.encode(q.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
                sep = "&";
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(appliance.httpsUri().resolve(URI.create(target.toString())))
                .timeout(Duration.ofSeconds(30))
                .method(op.method().toUpperCase(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.body() != null) {
            b.header("Content-Type", op.bodyType());
        }
        if (client.csrf != null) {
            b.header(ApiHandler.CSRF_HEADER, client.csrf);
        }
        if (client.bearer != null) {
            b.header("Authorization", "Bearer " + client.bearer);
        }
        return client.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Values that would change the path itself rather than fill a parameter. */
    private static boolean addressable(String v) {
        return !v.isEmpty() && !".".equals(v) && !"..".equals(v);
    }

    private static String fill(String template, Map<String, String> values) {
        String path = template;
        for (Map.Entry<String, String> v : values.entrySet()) {
            path = path.replace("{" + v.getKey() + "}", encodeSegment(v.getValue()));
        }
        return path;
    }

    private static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
        Map<String, V> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String v) {
        return "'" + shorten(v).replace("\n", "\\n") + "'";
    }

    private static String shorten(String v) {
        return v.length() > 80 ? v.substring(0, 80) + "…(" + v.length() + ")" : v;
    }
}
