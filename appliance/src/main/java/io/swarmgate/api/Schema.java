package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON schema, in the subset of OpenAPI 3.0 the API uses, declared beside the route that accepts
 * or returns it. The same value is rendered into {@code openapi.json} ({@link #toOpenApi}) and, for
 * request input, checked by {@link ApiHandler} before the endpoint runs ({@link #check}): the
 * document cannot promise a type, a required field, an enum or a limit that the appliance does not
 * enforce. Semantic checks (a CIDR's host bits, an origin's form) stay in the domain.
 *
 * <p>Immutable: every modifier returns a copy, so shared schemas are safe to refine per route. A
 * copy is unnamed (see {@link #named}): a changed shape must not pass for the one it came from.
 */
public final class Schema {

    private final String type;
    private final String name;
    private final Map<String, Object> keywords;
    private final Schema items;
    private final Map<String, Schema> properties;
    private final Set<String> required;
    private final Schema values;

    private Schema(String type, String name, Map<String, Object> keywords, Schema items,
                   Map<String, Schema> properties, Set<String> required, Schema values) {
        this.type = type;
        this.name = name;
        this.keywords = keywords;
        this.items = items;
        this.properties = properties;
        this.required = required;
        this.values = values;
    }

    private static Schema of(String type) {
        return new Schema(type, null, Map.of(), null, Map.of(), Set.of(), null);
    }

    public static Schema string() {
        return of("string");
    }

    /** A string of at most {@code maxLength} characters. */
    public static Schema string(int maxLength) {
        return string().with("maxLength", maxLength);
    }

    /** A string that must be one of {@code values} exactly. */
    public static Schema oneOf(List<String> values) {
        return string().with("enum", List.copyOf(values));
    }

    /** An ISO-8601 instant such as {@code 2026-11-22T10:00:00Z}. */
    public static Schema instant() {
        return string().with("format", "date-time");
    }

    /** A whole number written without fraction or exponent, from {@code minimum} to {@code maximum}. */
    public static Schema integer(long minimum, long maximum) {
        return of("integer").with("minimum", minimum).with("maximum", maximum);
    }

    /** A whole number without bounds; only for responses. */
    public static Schema integer() {
        return of("integer");
    }

    public static Schema number() {
        return of("number");
    }

    public static Schema bool() {
        return of("boolean");
    }

    public static Schema arrayOf(Schema items) {
        return new Schema("array", null, Map.of(), items, Map.of(), Set.of(), null);
    }

    /** An object with free keys whose values all follow {@code values} ({@code additionalProperties}). */
    public static Schema mapOf(Schema values) {
        return new Schema("object", null, Map.of(), null, Map.of(), Set.of(), values);
    }

    /** An object; add its fields with {@link #required(String, Schema)} and {@link #optional(String, Schema)}. */
    public static Schema object() {
        return of("object");
    }

    public Schema required(String field, Schema schema) {
        Set<String> r = new LinkedHashSet<>(required);
        r.add(field);
        return withProperty(field, schema, r);
    }

    public Schema optional(String field, Schema schema) {
        return withProperty(field, schema, required);
    }

    /** Also accepts JSON {@code null}. */
    public Schema nullable() {
        return with("nullable", true);
    }

    public Schema describe(String description) {
        return with("description", description);
    }

    /** A valid value, for readers of the document and for tools that build requests from it. */
    public Schema example(Object example) {
        return with("example", example);
    }

    public Schema minLength(int minLength) {
        return with("minLength", minLength);
    }

    /** A regular expression the whole value must match; written in the syntax Java and ECMAScript share. */
    public Schema pattern(String regex) {
        return with("pattern", "^(?:" + regex + ")$");
    }

    public Schema minItems(int minItems) {
        return with("minItems", minItems);
    }

    public Schema maxItems(int maxItems) {
        return with("maxItems", maxItems);
    }

    /** Listed once under {@code components/schemas} and referred to by name everywhere else. */
    public Schema named(String componentName) {
        return new Schema(type, componentName, keywords, items, properties, required, values);
    }

    private Schema with(String keyword, Object value) {
        Map<String, Object> k = new LinkedHashMap<>(keywords);
        k.put(keyword, value);
        return new Schema(type, null, Collections.unmodifiableMap(k), items, properties, required, values);
    }

    private Schema withProperty(String field, Schema schema, Set<String> requiredFields) {
        if (!"object".equals(type) || values != null) {
            throw new IllegalStateException("only an object schema has fields: " + field);
        }
        Map<String, Schema> p = new LinkedHashMap<>(properties);
        p.put(field, schema);
        return new Schema(type, null, keywords, items, Collections.unmodifiableMap(p),
                Collections.unmodifiableSet(requiredFields), values);
    }

    // --- the document ------------------------------------------------------------------------

    /**
     * This schema as OpenAPI JSON. A named schema is added to {@code components} (once) and
     * answered as a {@code $ref}; two different shapes under one name are a programming error.
     */
    Map<String, Object> toOpenApi(Map<String, Object> components) {
        if (name == null) {
            return inline(components);
        }
        if (!components.containsKey(name)) {
            components.put(name, inline(components));
        } else if (!components.get(name).equals(inline(components))) {
            throw new IllegalStateException("two different schemas are named " + name);
        }
        return Map.of("$ref", "#/components/schemas/" + name);
    }

    private Map<String, Object> inline(Map<String, Object> components) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", type);
        if (keywords.containsKey("description")) {
            s.put("description", keywords.get("description"));
        }
        keywords.forEach((k, v) -> {
            if (!"description".equals(k)) {
                s.put(k, v);
            }
        });
        if (items != null) {
            s.put("items", items.toOpenApi(components));
        }
        if (!required.isEmpty()) {
            s.put("required", List.copyOf(required));
        }
        if (!properties.isEmpty()) {
            Map<String, Object> p = new LinkedHashMap<>();
            properties.forEach((field, schema) -> p.put(field, schema.toOpenApi(components)));
            s.put("properties", p);
        }
        if (values != null) {
            s.put("additionalProperties", values.toOpenApi(components));
        }
        return s;
    }

    // --- checking input ----------------------------------------------------------------------

    /**
     * Checks {@code value} against this schema; the first problem becomes 400 {@code invalid_field}
     * naming {@code field} (the top-level input it is about), with {@code path} (where inside it)
     * in the message. Fields the schema does not name are left alone: older clients may send them.
     */
    void check(JsonNode value, String field, String path) throws ApiException {
        if (value == null || value.isNull() || value.isMissingNode()) {
            if (Boolean.TRUE.equals(keywords.get("nullable"))) {
                return;
            }
            throw bad(field, path + " must be " + article() + ", not null");
        }
        switch (type) {
            case "string" -> {
                if (!value.isTextual()) {
                    throw bad(field, path + " must be a string");
                }
                checkText(value.asText(), field, path);
            }
            case "integer" -> {
                // OpenAPI 3.0: an integer is a JSON number without fraction or exponent.
                if (!value.isIntegralNumber()) {
                    throw bad(field, path + " must be a whole number" + range());
                }
                BigInteger n = value.bigIntegerValue();
                if (keywords.get("minimum") instanceof Long min && n.compareTo(BigInteger.valueOf(min)) < 0
                        || keywords.get("maximum") instanceof Long max && n.compareTo(BigInteger.valueOf(max)) > 0) {
                    throw bad(field, path + " must be a whole number" + range());
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    throw bad(field, path + " must be a number");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    throw bad(field, path + " must be true or false");
                }
            }
            case "array" -> checkArray(value, field, path);
            case "object" -> checkObject(value, field, path);
            default -> throw new IllegalStateException("no check for schema type " + type);
        }
    }

    /**
     * Checks a query or path parameter, which arrives as text: booleans are exactly {@code true}
     * or {@code false}, integers are decimal digits; the text is then checked like a JSON value.
     */
    void checkParameter(String text, String parameter) throws ApiException {
        JsonNode value = switch (type) {
            case "boolean" -> {
                if (!"true".equals(text) && !"false".equals(text)) {
                    throw bad(parameter, parameter + " must be true or false, not '" + shorten(text) + "'");
                }
                yield BooleanNode.valueOf(Boolean.parseBoolean(text));
            }
            case "integer" -> {
                if (!text.matches("-?[0-9]{1,40}")) {
                    throw bad(parameter, parameter + " must be a whole number" + range());
                }
                yield BigIntegerNode.valueOf(new BigInteger(text));
            }
            case "string" -> TextNode.valueOf(text);
            default -> throw new IllegalStateException("parameter " + parameter + " has schema type " + type);
        };
        check(value, parameter, parameter);
    }

    private void checkText(String text, String field, String path) throws ApiException {
        int length = text.codePointCount(0, text.length());
        if (keywords.get("minLength") instanceof Integer min && length < min) {
            throw bad(field, min == 1 ? path + " must not be empty"
                    : path + " must have at least " + min + " characters");
        }
        if (keywords.get("maxLength") instanceof Integer max && length > max) {
            throw bad(field, path + " is longer than " + max + " characters");
        }
        if (keywords.get("enum") instanceof List<?> allowed && !allowed.contains(text)) {
            throw bad(field, path + " must be one of " + String.join(", ", allowed.stream().map(Object::toString).toList())
                    + ", not '" + shorten(text) + "'");
        }
        if (keywords.get("pattern") instanceof String regex && !Pattern.compile(regex).matcher(text).find()) {
            throw bad(field, path + " has the wrong form" + (keywords.containsKey("description")
                    ? ": " + keywords.get("description") : ""));
        }
    }

    private void checkArray(JsonNode value, String field, String path) throws ApiException {
        if (!value.isArray()) {
            throw bad(field, path + " must be an array");
        }
        if (keywords.get("minItems") instanceof Integer min && value.size() < min) {
            throw bad(field, path + " must have at least " + min + " entries");
        }
        if (keywords.get("maxItems") instanceof Integer max && value.size() > max) {
            throw bad(field, path + " must have at most " + max + " entries");
        }
        for (int i = 0; i < value.size(); i++) {
            items.check(value.get(i), field, path + "[" + i + "]");
        }
    }

    private void checkObject(JsonNode value, String field, String path) throws ApiException {
        if (!value.isObject()) {
            throw bad(field, path + " must be an object");
        }
        checkFields(value, field, path);
    }

    /**
     * Checks a request body. The fields of a JSON object body are reported under their own names
     * ({@code "field": "label"}); any other body under {@code bodyName}.
     */
    void checkBody(JsonNode body, String bodyName) throws ApiException {
        if (!"object".equals(type)) {
            check(body, bodyName, "the body");
        } else if (body == null || !body.isObject()) {
            throw new ApiException(400, "invalid_json", "the body must be a JSON object");
        } else {
            checkFields(body, null, null);
        }
    }

    /** {@code field} and {@code path} are null for the body itself. */
    private void checkFields(JsonNode value, String field, String path) throws ApiException {
        for (String r : required) {
            if (!value.has(r)) {
                throw bad(field == null ? r : field, (path == null ? "" : path + ".") + r + " is required");
            }
        }
        for (Map.Entry<String, Schema> p : properties.entrySet()) {
            if (value.has(p.getKey())) {
                p.getValue().check(value.get(p.getKey()), field == null ? p.getKey() : field,
                        path == null ? p.getKey() : path + "." + p.getKey());
            }
        }
        if (values != null) {
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                values.check(e.getValue(), field == null ? e.getKey() : field,
                        path == null ? e.getKey() : path + "." + e.getKey());
            }
        }
    }

    private String article() {
        return switch (type) {
            case "string" -> "a string";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "array" -> "an array";
            default -> "an object";
        };
    }

    private String range() {
        Object min = keywords.get("minimum");
        Object max = keywords.get("maximum");
        return min != null && max != null ? " from " + min + " to " + max : "";
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    private static ApiException bad(String field, String message) {
        return ApiException.badRequest(field, message);
    }
}
