package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.console.AdminAccount;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.ApiTokens;
import io.swarmgate.console.Role;
import io.swarmgate.console.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /admins} and {@code /tokens}: accounts and API tokens, admin role only. */
public final class AdminResource {

    static final Schema ROLE = Schema.oneOf(List.of("admin", "operator", "auditor"))
            .describe("admin: everything; operator: streams and sites; auditor: read-only");
    static final Schema USERNAME = Schema.string(64).pattern(AdminAccounts.USERNAME_PATTERN)
            .describe("2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter").example("alice");
    private static final Schema ADMINISTRATOR = Schema.object()
            .required("username", Schema.string())
            .required("role", ROLE)
            .required("disabled", Schema.bool())
            .required("mustChangePassword", Schema.bool().describe("still on a one-time password"))
            .required("locked", Schema.bool().describe("sign-ins are delayed now after failed ones"))
            .required("signInDelayedUntil", Schema.instant().nullable())
            .required("createdAt", Schema.instant())
            .required("lastLoginAt", Schema.instant().nullable())
            .named("Administrator");
    private static final Schema TOKEN = Schema.object()
            .required("id", Schema.string())
            .required("name", Schema.string())
            .required("role", ROLE)
            .required("createdBy", Schema.string().describe("the owner: the token works only while they may use its role"))
            .required("createdAt", Schema.instant())
            .required("expiresAt", Schema.instant())
            .required("lastUsedAt", Schema.instant().nullable())
            .required("revokedAt", Schema.instant().nullable())
            .named("ApiToken");

    private final AdminAccounts accounts;
    private final Sessions sessions;
    private final ApiTokens tokens;

    public AdminResource(AdminAccounts accounts, Sessions sessions, ApiTokens tokens) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
    }

    public List<Route> routes() {
        Schema oneTimePassword = Schema.string().describe("shown once; must be changed at the first sign-in");
        return List.of(
                Route.get("/admins", Role.ADMIN, "List administrators",
                                r -> accounts.list().stream().map(this::view).toList())
                        .returns(200, "the administrators", Schema.arrayOf(ADMINISTRATOR)),
                Route.post("/admins", Role.ADMIN, "Create an administrator; the response carries a one-time password",
                                this::add)
                        .json(Schema.object().required("username", USERNAME).required("role", ROLE))
                        .returns(201, "the new administrator", Schema.object()
                                .required("username", Schema.string())
                                .required("role", ROLE)
                                .required("oneTimePassword", oneTimePassword))
                        .fails(409, "an administrator with this name exists", "conflict"),
                Route.put("/admins/{username}", Role.ADMIN,
                                "Change an administrator's role or disable/enable the account. Refused for yourself"
                                        + " (or the owner of the token used) and for the last enabled admin", this::update)
                        .path("username", USERNAME, "the administrator")
                        .json(Schema.object()
                                .optional("role", ROLE)
                                .optional("disabled", Schema.bool().describe("true: no sign-in, sessions and tokens stop")))
                        .returns(200, "the administrator as changed", ADMINISTRATOR)
                        .fails(404, "no such administrator", "not_found")
                        .fails(409, "no enabled administrator with the admin role would remain", "last_admin"),
                Route.post("/admins/{username}/reset-password", Role.ADMIN,
                                "Replace an administrator's password with a one-time password; ends their sessions",
                                this::reset)
                        .path("username", USERNAME, "the administrator")
                        .returns(200, "the new one-time password", Schema.object()
                                .required("username", Schema.string())
                                .required("oneTimePassword", oneTimePassword))
                        .fails(404, "no such administrator", "not_found"),
                Route.get("/tokens", Role.ADMIN, "List API tokens (never their secrets) with owner (createdBy) and expiry",
                                r -> tokens.list())
                        .returns(200, "every token, revoked and expired ones included", Schema.arrayOf(TOKEN)),
                Route.post("/tokens", Role.ADMIN, "Create an API token bound to a role, owned by the caller, expiring"
                                + " after expiresInDays (default 90, at most 365); the token is shown once", this::createToken)
                        .json(Schema.object()
                                .required("name", Schema.string(100).pattern(".*\\S.*")
                                        .describe("1-100 characters, not blank, on one line").example("monitoring"))
                                .required("role", ROLE)
                                .optional("expiresInDays", Schema.integer(1, ApiTokens.MAX_LIFETIME.toDays())
                                        .describe("default " + ApiTokens.DEFAULT_LIFETIME.toDays())))
                        .returns(201, "the token, with its secret shown this once", Schema.object()
                                .required("id", Schema.string())
                                .required("name", Schema.string())
                                .required("role", ROLE)
                                .required("createdBy", Schema.string())
                                .required("expiresAt", Schema.instant())
                                .required("token", Schema.string().describe("sgt_…: send as 'Authorization: Bearer …'"))),
                Route.delete("/tokens/{id}", Role.ADMIN, "Revoke an API token", this::revokeToken)
                        .path("id", Schema.string(32).pattern("[A-Za-z0-9]+").describe("the token's id")
                                .example("Qx3vT9kLm2Pa"), "the token")
                        .returnsNothing("revoked")
                        .fails(404, "no active token with this id", "not_found"));
    }

    static Role role(ApiRequest r) throws ApiException {
        String value = r.string("role", 16);
        return Role.fromWire(value).orElseThrow(() -> ApiException.badRequest("role",
                "role must be admin, operator or auditor"));
    }

    private Object add(ApiRequest r) throws Exception {
        String username = r.string("username", 64);
        Role role = role(r);
        String password = accounts.add(username, role, r.actor());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("role", role.wire());
        body.put("oneTimePassword", password);
        return ApiResponse.json(201, body);
    }

    private Object update(ApiRequest r) throws Exception {
        String username = r.param("username");
        JsonNode j = r.json();
        if (accounts.find(username).isEmpty()) {
            throw ApiException.notFound("no administrator named " + username);
        }
        Role role = j.has("role") ? role(r) : null;
        Boolean disabled = j.has("disabled") ? j.get("disabled").asBoolean() : null;
        // Through a token, "yourself" is the token's owner: disabling or demoting them would stop
        // the very token, and lock its owner out of the console as well.
        accounts.change(username, role, disabled, r.principal().owner(), r.actor());
        if (role != null || disabled != null) {
            sessions.invalidateUser(username);
        }
        return view(accounts.find(username).orElseThrow());
    }

    private Object reset(ApiRequest r) throws Exception {
        String password = accounts.resetPassword(r.param("username"), r.actor());
        sessions.invalidateUser(r.param("username"));
        return Map.of("username", r.param("username"), "oneTimePassword", password);
    }

    private Object createToken(ApiRequest r) throws Exception {
        String name = r.string("name", 100);
        Role role = role(r);
        JsonNode days = r.json().get("expiresInDays");
        Duration lifetime = null;
        if (days != null && !days.isNull()) {
            if (!days.canConvertToInt() || !days.isIntegralNumber()) {
                throw ApiException.badRequest("expiresInDays", "expiresInDays must be a whole number of days");
            }
            lifetime = Duration.ofDays(days.asInt());
        }
        ApiTokens.Created created = tokens.create(name, role, r.principal().owner(), lifetime, r.actor());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", created.info().id());
        body.put("name", created.info().name());
        body.put("role", created.info().role().wire());
        body.put("createdBy", created.info().createdBy());
        body.put("expiresAt", created.info().expiresAt().toString());
        body.put("token", created.token());
        return ApiResponse.json(201, body);
    }

    private Object revokeToken(ApiRequest r) throws Exception {
        if (!tokens.revoke(r.param("id"), r.actor())) {
            throw ApiException.notFound("no active API token " + r.param("id"));
        }
        return ApiResponse.noContent();
    }

    private Map<String, Object> view(AdminAccount a) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("username", a.username());
        v.put("role", a.role().wire());
        v.put("disabled", a.disabled());
        v.put("mustChangePassword", a.mustChangePassword());
        Optional<Instant> throttled = accounts.throttledUntil(a.username());
        v.put("locked", throttled.isPresent());
        v.put("signInDelayedUntil", throttled.map(Object::toString).orElse(null));
        v.put("createdAt", a.createdAt().toString());
        v.put("lastLoginAt", a.lastLoginAt() == null ? null : a.lastLoginAt().toString());
        return v;
    }
}
