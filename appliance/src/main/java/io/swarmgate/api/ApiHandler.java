package io.swarmgate.api;

import com.fasterxml.jackson.databind.node.TextNode;
import io.swarmgate.audit.Actor;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.audit.Outcome;
import io.swarmgate.console.AdminAccount;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.ApiTokens;
import io.swarmgate.console.AuthException;
import io.swarmgate.console.Sessions;
import io.swarmgate.policy.PolicyException;
import io.swarmgate.policy.SiteCsv;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.eclipse.jetty.http.HttpCookie;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1}: authenticates (session cookie or bearer API token), routes, checks the role,
 * the CSRF token and the forced password change, reads the body within its size limit, calls the
 * endpoint and maps every outcome to JSON — all in this one place, so endpoints stay
 * parse → validate → call the domain → respond.
 */
public final class ApiHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    public static final String PREFIX = "/api/v1";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final int MAX_BODY = 8 * 1024 * 1024;
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");
    private static final String BODY_READ = ApiHandler.class.getName() + ".bodyRead";

    private record Compiled(Route route, Pattern pattern) {
    }

    private final List<Compiled> routes = new ArrayList<>();
    private final Sessions sessions;
    private final ApiTokens tokens;
    private final AdminAccounts accounts;
    private final BiFunction<InetAddress, String, InetAddress> clientAddress;
    private final AuditLog audit;
    /** Routes a session may use while its password must still be changed. */
    private final Set<String> allowedBeforePasswordChange = Set.of("GET /session", "DELETE /session",
            "POST /session/password");

    /**
     * @param clientAddress the client behind a request from its TCP peer and X-Forwarded-For header
     *                      (believed only from trusted proxies): the source the sign-in back-off counts
     * @param audit         where calls refused for their role are recorded
     */
    public ApiHandler(List<Route> routes, Sessions sessions, ApiTokens tokens, AdminAccounts accounts,
                      BiFunction<InetAddress, String, InetAddress> clientAddress, AuditLog audit) {
        this.audit = audit;
        routes.forEach(r -> this.routes.add(new Compiled(r, r.pattern())));
        this.clientAddress = clientAddress;
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
    }

    public List<Route> routes() {
        return routes.stream().map(Compiled::route).toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (!path.startsWith(PREFIX)) {
            return false;
        }
        String sub = path.substring(PREFIX.length());
        try {
            respond(response, callback, dispatch(request, sub.isEmpty() ? "/" : sub));
        } catch (Exception e) {
            closeIfBodyUnread(request, response);
            ApiException refusal = asApiException(e);
            if (refusal != null) {
                error(response, callback, refusal);
            } else {
                LOG.warn("api - {} {} failed", request.getMethod(), path, e);
                Json.error(response, 500, "internal_error", "internal error; the appliance log has the details", callback);
            }
        }
        return true;
    }

    /** The client-facing error for what the domain threw, or {@code null} for a server fault. */
    private static ApiException asApiException(Exception e) {
        if (e instanceof ApiException a) {
            return a;
        }
        if (e instanceof PolicyException p) {
            return ApiException.badRequest(p.field(), p.getMessage());
        }
        if (e instanceof SiteCsv.CsvException c) {
            return new ApiException(400, "invalid_csv", c.getMessage(), null, c.problems());
        }
        if (e instanceof AuthException a) {
            return new ApiException(statusOf(a.code()), a.code(), a.getMessage(), a.field(), List.of(),
                    a.retryAfterSeconds());
        }
        return null;
    }

    /**
     * A request refused before its body was read (authentication, CSRF, role, size) leaves the
     * body's bytes on the connection, possibly still in flight. The answer then says
     * {@code Connection: close}, so that the client sends its next request on a fresh connection
     * instead of one the server closes under it.
     */
    private static void closeIfBodyUnread(Request request, Response response) {
        boolean mayHaveBody = request.getLength() > 0
                || request.getLength() < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (mayHaveBody && request.getAttribute(BODY_READ) == null && !response.isCommitted()) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    private static int statusOf(String code) {
        return switch (code) {
            case "invalid_credentials" -> 401;
            case "too_many_attempts" -> 429;
            case "not_found" -> 404;
            case "conflict", "last_admin" -> 409;
            default -> 400;
        };
    }

    private Object dispatch(Request request, String path) throws Exception {
        String method = request.getMethod();
        Route matched = null;
        Map<String, String> params = null;
        Set<String> allowed = new TreeSet<>();
        for (Compiled c : routes) {
            Map<String, String> p = c.route().match(c.pattern(), path);
            if (p == null) {
                continue;
            }
            allowed.add(c.route().method());
            if (c.route().method().equals(method) || "HEAD".equals(method) && "GET".equals(c.route().method())) {
                matched = c.route();
                params = p;
                break;
            }
        }
        if (matched == null) {
            if (!allowed.isEmpty()) {
                throw new ApiException(405, "method_not_allowed", "use " + String.join(" or ", allowed) + " on "
                        + PREFIX + path);
            }
            throw ApiException.notFound("no API endpoint " + PREFIX + path);
        }
        Principal principal = authenticate(request);
        if (matched.role() != null) {
            if (principal == null) {
                throw new ApiException(401, "unauthenticated", "sign in or send an API token");
            }
            if (principal.viaSession() && principal.session().mustChangePassword()
                    && !allowedBeforePasswordChange.contains(matched.method() + " " + matched.template())) {
                throw new ApiException(403, "password_change_required", "change your one-time password first");
            }
            if (!principal.role().atLeast(matched.role())) {
                audit.record(AuditEvent.of(Actor.of(principal.name(), client(request)), "access.denied",
                        matched.method() + " " + PREFIX + matched.template(), Outcome.DENIED)
                        .with("role", principal.role().wire()).with("required", matched.role().wire()));
                throw new ApiException(403, "forbidden", "this needs the " + matched.role().wire() + " role; you are "
                        + principal.role().wire());
            }
        }
        if (principal != null && principal.viaSession() && !SAFE_METHODS.contains(method)) {
            String sent = request.getHeaders().get(CSRF_HEADER);
            if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    principal.session().csrfToken.getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(403, "csrf_token_invalid", "missing or wrong " + CSRF_HEADER + " header");
            }
        }
        ApiRequest call = new ApiRequest(request, matched, principal, params, readBody(request), client(request));
        checkInput(matched, call);
        return matched.endpoint().handle(call);
    }

    /**
     * Checks every input against the route's declaration before the endpoint runs, so that an
     * endpoint sees only the parameters it declared, of the declared types, and a body of the
     * declared shape. A query parameter the route does not take is refused: a misspelt
     * {@code dryRun} must not turn a preview into a change.
     */
    private static void checkInput(Route route, ApiRequest call) throws ApiException {
        for (Fields.Field f : call.queryFields()) {
            if (!route.declaresQuery(f.getName())) {
                List<String> accepted = route.parameters().stream().filter(p -> !p.inPath()).map(Route.Parameter::name)
                        .toList();
                throw new ApiException(400, "unknown_parameter", route.method() + " " + PREFIX + route.template()
                        + (accepted.isEmpty() ? " takes no query parameters" : " takes only " + String.join(", ", accepted))
                        + ", not '" + f.getName() + "'", f.getName(), List.of());
            }
            if (f.getValues().size() > 1) {
                throw ApiException.badRequest(f.getName(), f.getName() + " is given more than once");
            }
        }
        for (Route.Parameter p : route.parameters()) {
            String value = p.inPath() ? call.param(p.name()) : call.query(p.name());
            if (value == null) {
                if (p.required()) {
                    throw ApiException.badRequest(p.name(), "the query parameter " + p.name() + " is required");
                }
            } else {
                p.schema().checkParameter(value, p.name());
            }
        }
        Route.Body body = route.body();
        if (body != null) {
            body.schema().checkBody(body.isJson() ? call.json() : TextNode.valueOf(call.body() == null ? "" : call.body()),
                    body.field());
        }
    }

    private Principal authenticate(Request request) throws Exception {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<ApiTokens.TokenInfo> token = tokens.authenticate(authorization.substring(7).strip(), client(request));
            if (token.isEmpty()) {
                throw new ApiException(401, "token_invalid",
                        "the API token is unknown, revoked or expired, or its owner may no longer use it");
            }
            return new Principal("token:" + token.get().id(), token.get().role(), null, token.get().createdBy());
        }
        for (HttpCookie cookie : Request.getCookies(request)) {
            if (Sessions.COOKIE.equals(cookie.getName())) {
                Optional<Sessions.Session> s = sessions.find(cookie.getValue());
                if (s.isPresent()) {
                    // The account is read on every call: a disabled account or a changed role takes effect
                    // at once, whichever process (CLI, another admin) made the change.
                    Optional<AdminAccount> account = accounts.find(s.get().username);
                    if (account.isEmpty() || account.get().disabled() || account.get().role() != s.get().role) {
                        sessions.invalidate(s.get().id());
                        return null;
                    }
                    return new Principal(s.get().username, s.get().role, s.get(), s.get().username);
                }
            }
        }
        return null;
    }

    private InetAddress client(Request request) {
        InetAddress peer = request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
                ? a.getAddress() : InetAddress.getLoopbackAddress();
        return clientAddress.apply(peer, request.getHeaders().get("X-Forwarded-For"));
    }

    private static String readBody(Request request) throws ApiException, IOException {
        if (SAFE_METHODS.contains(request.getMethod()) || "DELETE".equals(request.getMethod())) {
            return null;
        }
        long declared = request.getLength();
        if (declared > MAX_BODY) {
            throw new ApiException(413, "payload_too_large", "the body is larger than " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Request.asInputStream(request)) {
            bytes = in.readNBytes(MAX_BODY + 1);
            request.setAttribute(BODY_READ, Boolean.TRUE);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiException(413, "payload_too_large", "the body is larger than " + MAX_BODY + " bytes");
        }
        return utf8(bytes);
    }

    /**
     * The body as text. Every body the API takes (JSON, CSV, PEM) is UTF-8; other bytes are refused
     * rather than replaced, which would silently change a label or a certificate. A byte order mark,
     * as spreadsheet programs write before CSV, is dropped.
     */
    static String utf8(byte[] bytes) throws ApiException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "invalid_encoding", "the body is not UTF-8 text", "body", List.of());
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static void respond(Response response, Callback callback, Object result) {
        if (!(result instanceof ApiResponse r)) {
            Json.write(response, 200, result, callback);
            return;
        }
        r.headers().forEach((k, v) -> response.getHeaders().add(k, v));
        if (r.body() == null) {
            response.setStatus(r.status());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            callback.succeeded();
        } else if (r.contentType() == null) {
            Json.write(response, r.status(), r.body(), callback);
        } else if (r.body() instanceof Path file) {
            // A large generated file (an audit export): streamed from disk, then deleted.
            response.setStatus(r.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            try {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Files.size(file));
            } catch (IOException e) {
                LOG.warn("api - cannot size {}: {}", file, e.getMessage());
            }
            Content.copy(Content.Source.from(file), response, Callback.from(() -> {
                deleteQuietly(file);
                callback.succeeded();
            }, failure -> {
                deleteQuietly(file);
                callback.failed(failure);
            }));
        } else if (r.body() instanceof byte[] bytes) {
            response.setStatus(r.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(bytes), callback);
        } else {
            byte[] bytes = r.body().toString().getBytes(StandardCharsets.UTF_8);
            response.setStatus(r.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("api - cannot delete {}: {}", file, e.getMessage());
        }
    }

    private static void error(Response response, Callback callback, ApiException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        if (e.field() != null) {
            error.put("field", e.field());
        }
        if (!e.problems().isEmpty()) {
            error.put("problems", e.problems());
        }
        if (e.retryAfterSeconds() > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 405) {
            response.getHeaders().put(HttpHeader.ALLOW, e.getMessage().replaceAll("use (.*) on .*", "$1").replace(" or ", ", "));
        }
        Json.write(response, e.status(), Map.of("error", error), callback);
    }
}
