package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The appliance's {@code openapi.json} read as a client or a fuzzer reads it, independently of the
 * server's own schema classes: its operations, values checked against its schemas, valid values
 * built from them, and values that break them one rule at a time.
 */
final class OpenApiDocument {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Strings that stay within most schemas' types but poke at what lies behind them: empty,
     * blank, control and non-ASCII characters, separators of the formats the API stores (CSV,
     * origin and site-group lists), look-alikes of CIDRs, URLs and PEM.
     */
    static final List<String> JUNK = List.of("", " ", "\t", "\u0000", "é", "日本語", "\uD83D\uDE00", "null", "true",
            "0", "-1", "%s%n%x", "../../etc/passwd", ",", ",,", ";", "+", "\"", "'", "*", "a,b", "a;b+c",
            "x\ny", "auto:x", "10.0.0.0/8", "10.0.0.1/8", "2001:DB8::/32", "::ffff:10.0.0.0/104", "0.0.0.0/0",
            "http://x/*", "https://[::1]:99999", "https://intranet.corp.example/path",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "10.0.0.0/8,,x", "10.0.0.0/8,auto:x,",
            "cidr,site,label\n10.0.0.0/8,é,\n", "cidr,site,label\n10.0.0.0/8,x,\"unterminated\n");

    /** One operation: method, path template and its OpenAPI object. */
    record Operation(String method, String path, JsonNode node) {
        List<JsonNode> parameters() {
            List<JsonNode> out = new ArrayList<>();
            node.path("parameters").forEach(out::add);
            return out;
        }

        /** The request body's media type, or null without a body. */
        String bodyType() {
            Iterator<String> types = node.path("requestBody").path("content").fieldNames();
            return types.hasNext() ? types.next() : null;
        }

        JsonNode bodySchema() {
            return bodyType() == null ? null : node.path("requestBody").path("content").path(bodyType()).path("schema");
        }

        JsonNode response(int status) {
            return node.path("responses").path(Integer.toString(status));
        }

        Set<String> errorCodes() {
            Set<String> codes = new LinkedHashSet<>();
            node.path("responses").forEach(r -> r.path("x-error-codes").forEach(c -> codes.add(c.asText())));
            return codes;
        }

        @Override
        public String toString() {
            return method.toUpperCase() + " " + path;
        }
    }

    final JsonNode doc;

    OpenApiDocument(JsonNode doc) {
        this.doc = doc;
    }

    List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        doc.path("paths").properties().forEach(p -> p.getValue().properties()
                .forEach(m -> out.add(new Operation(m.getKey(), p.getKey(), m.getValue()))));
        return out;
    }

    /** The schema itself, or the component a {@code $ref} names (null when it names none). */
    JsonNode resolve(JsonNode schema) {
        JsonNode s = schema;
        while (s != null && s.has("$ref")) {
            String ref = s.get("$ref").asText();
            s = ref.startsWith("#/components/schemas/")
                    ? doc.path("components").path("schemas").get(ref.substring("#/components/schemas/".length())) : null;
        }
        return s;
    }

    // --- checking ----------------------------------------------------------------------------

    /**
     * What is wrong with {@code value} under {@code schema}; empty when it conforms. With
     * {@code strict}, an object property the schema does not declare is a problem too (answers
     * must not carry undocumented fields).
     */
    List<String> problems(JsonNode schema, JsonNode value, boolean strict) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", strict, out);
        return out;
    }

    private void check(JsonNode schemaOrRef, JsonNode v, String at, boolean strict, List<String> out) {
        JsonNode s = resolve(schemaOrRef);
        if (s == null) {
            out.add(at + ": unresolvable schema " + schemaOrRef);
            return;
        }
        if (v == null || v.isNull() || v.isMissingNode()) {
            if (!s.path("nullable").asBoolean()) {
                out.add(at + ": null");
            }
            return;
        }
        switch (s.path("type").asText()) {
            case "string" -> {
                if (!v.isTextual()) {
                    out.add(at + ": not a string");
                    return;
                }
                String text = v.asText();
                int length = text.codePointCount(0, text.length());
                if (s.has("maxLength") && length > s.get("maxLength").asInt()) {
                    out.add(at + ": longer than " + s.get("maxLength"));
                }
                if (s.has("minLength") && length < s.get("minLength").asInt()) {
                    out.add(at + ": shorter than " + s.get("minLength"));
                }
                if (s.has("enum") && !contains(s.get("enum"), text)) {
                    out.add(at + ": not one of " + s.get("enum"));
                }
                if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(text).find()) {
                    out.add(at + ": does not match " + s.get("pattern"));
                }
            }
            case "integer" -> {
                if (!v.isIntegralNumber()) {
                    out.add(at + ": not an integer");
                    return;
                }
                BigInteger n = v.bigIntegerValue();
                if (s.has("minimum") && n.compareTo(s.get("minimum").bigIntegerValue()) < 0
                        || s.has("maximum") && n.compareTo(s.get("maximum").bigIntegerValue()) > 0) {
                    out.add(at + ": out of range");
                }
            }
            case "number" -> {
                if (!v.isNumber()) {
                    out.add(at + ": not a number");
                }
            }
            case "boolean" -> {
                if (!v.isBoolean()) {
                    out.add(at + ": not a boolean");
                }
            }
            case "array" -> {
                if (!v.isArray()) {
                    out.add(at + ": not an array");
                    return;
                }
                if (s.has("minItems") && v.size() < s.get("minItems").asInt()
                        || s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
                    out.add(at + ": wrong number of items");
                }
                for (int i = 0; i < v.size(); i++) {
                    check(s.get("items"), v.get(i), at + "[" + i + "]", strict, out);
                }
            }
            case "object" -> {
                if (!v.isObject()) {
                    out.add(at + ": not an object");
                    return;
                }
                s.path("required").forEach(r -> {
                    if (!v.has(r.asText())) {
                        out.add(at + "." + r.asText() + ": missing");
                    }
                });
                v.properties().forEach(f -> {
                    JsonNode p = s.path("properties").get(f.getKey());
                    if (p != null) {
                        check(p, f.getValue(), at + "." + f.getKey(), strict, out);
                    } else if (s.has("additionalProperties")) {
                        check(s.get("additionalProperties"), f.getValue(), at + "." + f.getKey(), strict, out);
                    } else if (strict && s.has("properties")) {
                        out.add(at + "." + f.getKey() + ": not declared");
                    }
                });
            }
            default -> out.add(at + ": schema without a type");
        }
    }

    private static boolean contains(JsonNode array, String text) {
        for (JsonNode e : array) {
            if (e.asText().equals(text)) {
                return true;
            }
        }
        return false;
    }

    /** A query or path parameter's text as the value its schema types it as, or null when it cannot be one. */
    JsonNode parameterValue(JsonNode schema, String text) {
        return switch (resolve(schema).path("type").asText()) {
            case "boolean" -> "true".equals(text) || "false".equals(text) ? BooleanNode.valueOf(Boolean.parseBoolean(text))
                    : null;
            case "integer" -> text.matches("-?[0-9]{1,40}") ? NODES.numberNode(new BigInteger(text)) : null;
            default -> TextNode.valueOf(text);
        };
    }

    boolean validParameter(JsonNode schema, String text) {
        JsonNode v = parameterValue(schema, text);
        return v != null && problems(schema, v, false).isEmpty();
    }

    // --- building values ---------------------------------------------------------------------

    /** A value the schema accepts: its example, else the simplest one of its type. */
    JsonNode example(JsonNode schemaOrRef) {
        JsonNode s = resolve(schemaOrRef);
        if (s.has("example")) {
            return s.get("example");
        }
        return switch (s.path("type").asText()) {
            case "string" -> s.has("enum") ? s.get("enum").get(0)
                    : TextNode.valueOf("x".repeat(Math.max(1, s.path("minLength").asInt(1))));
            case "integer" -> s.has("minimum") ? s.get("minimum") : IntNode.valueOf(0);
            case "number" -> IntNode.valueOf(0);
            case "boolean" -> BooleanNode.FALSE;
            case "array" -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = 0; i < s.path("minItems").asInt(0); i++) {
                    a.add(example(s.get("items")));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                s.path("required").forEach(r -> o.set(r.asText(), example(s.path("properties").get(r.asText()))));
                yield o;
            }
        };
    }

    /**
     * Values that break the schema, each for one reason: null, another type, out of its range,
     * length, enum or pattern, a missing required field, a bad field or item (recursively). Each is
     * checked against the document, so none is accidentally valid.
     */
    List<JsonNode> invalidValues(JsonNode schemaOrRef) {
        List<JsonNode> out = new ArrayList<>();
        collectInvalid(resolve(schemaOrRef), out, 0);
        out.removeIf(v -> problems(schemaOrRef, v, false).isEmpty());
        return out;
    }

    private void collectInvalid(JsonNode s, List<JsonNode> out, int depth) {
        out.add(NullNode.instance);
        switch (s.path("type").asText()) {
            case "string" -> {
                out.addAll(List.of(IntNode.valueOf(12), BooleanNode.TRUE, NODES.arrayNode(), NODES.objectNode()));
                if (s.has("maxLength")) {
                    out.add(TextNode.valueOf("x".repeat(s.get("maxLength").asInt() + 1)));
                }
                if (s.has("minLength")) {
                    out.add(TextNode.valueOf(""));
                }
                if (s.has("enum")) {
                    out.add(TextNode.valueOf("not-a-choice"));
                    out.add(TextNode.valueOf(s.get("enum").get(0).asText().toUpperCase()));
                }
                if (s.has("pattern")) {
                    JUNK.stream().filter(j -> !Pattern.compile(s.get("pattern").asText()).matcher(j).find()).limit(6)
                            .forEach(j -> out.add(TextNode.valueOf(j)));
                }
            }
            case "integer" -> {
                out.addAll(List.of(TextNode.valueOf("1"), DoubleNode.valueOf(1.5), BooleanNode.TRUE,
                        DecimalNode.valueOf(new BigDecimal("1E+400")),
                        NODES.numberNode(new BigInteger("123456789012345678901234567890"))));
                if (s.has("minimum")) {
                    out.add(NODES.numberNode(s.get("minimum").bigIntegerValue().subtract(BigInteger.ONE)));
                }
                if (s.has("maximum")) {
                    out.add(NODES.numberNode(s.get("maximum").bigIntegerValue().add(BigInteger.ONE)));
                }
            }
            case "number" -> out.addAll(List.of(TextNode.valueOf("1"), BooleanNode.TRUE));
            case "boolean" -> out.addAll(List.of(TextNode.valueOf("true"), IntNode.valueOf(1), TextNode.valueOf("yes")));
            case "array" -> {
                out.addAll(List.of(TextNode.valueOf("x"), NODES.objectNode()));
                if (s.path("minItems").asInt(0) > 0) {
                    out.add(NODES.arrayNode());
                }
                if (depth < 3) {
                    List<JsonNode> bad = new ArrayList<>();
                    collectInvalid(resolve(s.get("items")), bad, depth + 1);
                    for (JsonNode b : bad.subList(0, Math.min(bad.size(), 4))) {
                        ArrayNode a = NODES.arrayNode();
                        JsonNode good = example(s.get("items"));
                        for (int i = 0; i < Math.max(1, s.path("minItems").asInt(0)) - 1; i++) {
                            a.add(good);
                        }
                        a.add(b);
                        out.add(a);
                    }
                }
            }
            case "object" -> {
                out.addAll(List.of(NODES.arrayNode(), TextNode.valueOf("x")));
                ObjectNode base = (ObjectNode) example(s);
                s.path("required").forEach(r -> out.add(base.deepCopy().without(r.asText())));
                if (depth < 3) {
                    s.path("properties").properties().forEach(p -> {
                        List<JsonNode> bad = new ArrayList<>();
                        collectInvalid(resolve(p.getValue()), bad, depth + 1);
                        bad.forEach(b -> out.add(base.deepCopy().set(p.getKey(), b)));
                    });
                    if (s.has("additionalProperties")) {
                        List<JsonNode> bad = new ArrayList<>();
                        collectInvalid(resolve(s.get("additionalProperties")), bad, depth + 1);
                        bad.forEach(b -> out.add(base.deepCopy().set("some-key", b)));
                    }
                }
            }
            default -> {
            }
        }
    }

    /**
     * Values of the schema's own type that may or may not be valid: whatever the appliance makes of
     * them, it must not be a server error.
     */
    List<JsonNode> junkValues(JsonNode schemaOrRef) {
        JsonNode s = resolve(schemaOrRef);
        List<JsonNode> out = new ArrayList<>();
        switch (s.path("type").asText()) {
            case "string" -> {
                JUNK.forEach(j -> out.add(TextNode.valueOf(j)));
                if (s.has("maxLength")) {
                    out.add(TextNode.valueOf("é".repeat(s.get("maxLength").asInt())));
                }
            }
            case "integer" -> {
                for (long n : new long[] {0, -1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE}) {
                    out.add(NODES.numberNode(n));
                }
                if (s.has("minimum")) {
                    out.add(s.get("minimum"));
                }
                if (s.has("maximum")) {
                    out.add(s.get("maximum"));
                }
            }
            case "boolean" -> out.addAll(List.of(BooleanNode.TRUE, BooleanNode.FALSE));
            case "array" -> {
                out.add(NODES.arrayNode());
                for (JsonNode item : junkValues(s.get("items"))) {
                    out.add(NODES.arrayNode().add(item).add(item));
                }
            }
            case "object" -> {
                if (s.has("additionalProperties")) {
                    for (String key : JUNK.subList(0, 8)) {
                        out.add(NODES.objectNode().set(key, example(s.get("additionalProperties"))));
                    }
                }
            }
            default -> {
            }
        }
        return out;
    }

    /** Every schema object in the document (components and inline ones), for whole-document checks. */
    List<JsonNode> allSchemas() {
        List<JsonNode> out = new ArrayList<>();
        collectSchemas(doc, false, out);
        return out;
    }

    private static void collectSchemas(JsonNode node, boolean isSchema, List<JsonNode> out) {
        if (node.isObject()) {
            if (isSchema) {
                out.add(node);
            }
            for (Map.Entry<String, JsonNode> f : node.properties()) {
                boolean child = switch (f.getKey()) {
                    case "schema", "items", "additionalProperties" -> true;
                    default -> false;
                };
                if ("properties".equals(f.getKey()) && isSchema || "schemas".equals(f.getKey())) {
                    f.getValue().forEach(p -> collectSchemas(p, true, out));
                } else if (!"example".equals(f.getKey())) {
                    collectSchemas(f.getValue(), child, out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectSchemas(n, false, out));
        }
    }
}
