package io.swarmgate.api;

import io.swarmgate.console.Role;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One API endpoint and everything a client may know about it: method, path template
 * ({@code /streams/{id}}), the least role allowed ({@code null}: no login needed), its parameters,
 * request body and answers. {@link ApiHandler} checks input against the declared schemas before
 * the endpoint runs, and {@link OpenApi} documents the route from the same declaration.
 *
 * <p>Built with {@link #get} (or {@code post}, {@code put}, {@code delete}) and the modifiers
 * below; each returns a new route.
 */
public record Route(String method, String template, Role role, Endpoint endpoint, String summary,
                    List<Parameter> parameters, Body body, List<Reply> replies) {

    /** Handles a matched request; returns the response body (serialised as JSON) or an {@link ApiResponse}. */
    @FunctionalInterface
    public interface Endpoint {
        Object handle(ApiRequest request) throws Exception;
    }

    /** A path or query parameter. Query parameters given twice are refused rather than guessed at. */
    public record Parameter(String name, boolean inPath, boolean required, Schema schema, String description) {
    }

    /**
     * The request body: its media type and schema (an object schema for JSON, a string schema for
     * text such as CSV or PEM, which must be UTF-8). Errors about a text body as a whole name
     * {@code field} (the console's form field); a JSON body's errors name the body's own fields.
     */
    public record Body(String mediaType, String field, Schema schema, String description) {
        public boolean isJson() {
            return "application/json".equals(mediaType);
        }
    }

    /**
     * One documented answer. A success carries its body's schema and media type ({@code null}
     * schema: no body); a failure lists the error codes it may carry and always has the shared
     * {@code Error} body.
     */
    public record Reply(int status, String description, String mediaType, Schema schema, List<String> codes) {
        public boolean isError() {
            return status >= 400;
        }
    }

    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

    public Route {
        parameters = List.copyOf(parameters);
        replies = List.copyOf(replies);
        for (Parameter p : parameters) {
            if (p.inPath() && !names(template).contains(p.name())) {
                throw new IllegalArgumentException(method + " " + template + " declares path parameter " + p.name()
                        + " that its template does not have");
            }
        }
    }

    public static Route get(String template, Role role, String summary, Endpoint endpoint) {
        return new Route("GET", template, role, endpoint, summary, List.of(), null, List.of());
    }

    public static Route post(String template, Role role, String summary, Endpoint endpoint) {
        return new Route("POST", template, role, endpoint, summary, List.of(), null, List.of());
    }

    public static Route put(String template, Role role, String summary, Endpoint endpoint) {
        return new Route("PUT", template, role, endpoint, summary, List.of(), null, List.of());
    }

    public static Route delete(String template, Role role, String summary, Endpoint endpoint) {
        return new Route("DELETE", template, role, endpoint, summary, List.of(), null, List.of());
    }

    /** Declares the path parameter {@code {name}} of the template. */
    public Route path(String name, Schema schema, String description) {
        return withParameter(new Parameter(name, true, true, schema, description));
    }

    public Route query(String name, Schema schema, String description) {
        return withParameter(new Parameter(name, false, false, schema, description));
    }

    public Route requiredQuery(String name, Schema schema, String description) {
        return withParameter(new Parameter(name, false, true, schema, description));
    }

    /** A JSON object body. */
    public Route json(Schema schema) {
        return new Route(method, template, role, endpoint, summary, parameters,
                new Body("application/json", null, schema, null), replies);
    }

    /** A text body of {@code mediaType} (UTF-8), called {@code field} in errors about it. */
    public Route text(String mediaType, String field, Schema schema, String description) {
        return new Route(method, template, role, endpoint, summary, parameters,
                new Body(mediaType, field, schema, description), replies);
    }

    /** A JSON success answer. */
    public Route returns(int status, String description, Schema schema) {
        return withReply(new Reply(status, description, "application/json", schema, List.of()));
    }

    /** A success answer that is not JSON (CSV, PEM). */
    public Route returnsText(String mediaType, String description) {
        return withReply(new Reply(200, description, mediaType, Schema.string(), List.of()));
    }

    /** 204 No Content. */
    public Route returnsNothing(String description) {
        return withReply(new Reply(204, description, null, null, List.of()));
    }

    /** An error answer with the codes it may carry (besides those {@link OpenApi} adds for every route). */
    public Route fails(int status, String description, String... codes) {
        return withReply(new Reply(status, description, "application/json", null, List.of(codes)));
    }

    private Route withParameter(Parameter p) {
        List<Parameter> ps = new ArrayList<>(parameters);
        ps.add(p);
        return new Route(method, template, role, endpoint, summary, ps, body, replies);
    }

    private Route withReply(Reply r) {
        List<Reply> rs = new ArrayList<>(replies);
        rs.add(r);
        return new Route(method, template, role, endpoint, summary, parameters, body, rs);
    }

    /** Whether the endpoint may read this query parameter: only declared ones, so none goes unchecked. */
    boolean declaresQuery(String name) {
        return parameters.stream().anyMatch(p -> !p.inPath() && p.name().equals(name));
    }

    Pattern pattern() {
        Matcher m = PARAM.matcher(template);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("(?<").append(m.group(1))
                    .append(">[^/]+)");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex.toString());
    }

    List<String> parameterNames() {
        return names(template);
    }

    private static List<String> names(String template) {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return List.copyOf(new LinkedHashSet<>(names));
    }

    /**
     * The path parameters if {@code path} matches, else null.
     *
     * @throws ApiException 400 {@code invalid_path} when a parameter's percent-encoding is not UTF-8
     */
    Map<String, String> match(Pattern compiled, String path) throws ApiException {
        Matcher m = compiled.matcher(path);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (String name : parameterNames()) {
            params.put(name, decodeSegment(name, m.group(name)));
        }
        return params;
    }

    /**
     * Percent-decodes one path segment as UTF-8. Unlike form decoding, {@code +} stays a plus sign;
     * a malformed escape or byte sequence is the client's mistake, never a server error.
     */
    static String decodeSegment(String name, String raw) throws ApiException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            int escape = raw.indexOf('%', i);
            if (escape != i) {
                int end = escape < 0 ? raw.length() : escape;
                bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw invalidPath(name);
            }
            bytes.write(hi * 16 + lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalidPath(name);
        }
    }

    private static ApiException invalidPath(String name) {
        return new ApiException(400, "invalid_path", "the path parameter " + name
                + " is not percent-encoded UTF-8", name, List.of());
    }
}
