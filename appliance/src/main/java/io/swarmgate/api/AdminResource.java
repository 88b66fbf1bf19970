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

    private final AdminAccounts accounts;
    private final Sessions sessions;
    private final ApiTokens tokens;

    public AdminResource(AdminAccounts accounts, Sessions sessions, ApiTokens tokens) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.tokens = tokens;
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/admins", Role.ADMIN, r -> accounts.list().stream().map(this::view).toList(),
                        "List administrators", null, "array of administrators"),
                new Route("POST", "/admins", Role.ADMIN, this::add,
                        "Create an administrator; the response carries a one-time password", "{username, role}",
                        "{username, role, oneTimePassword}"),
                new Route("PUT", "/admins/{username}", Role.ADMIN, this::update,
                        "Change an administrator's role or disable/enable the account", "{role?, disabled?}",
                        "the administrator"),
                new Route("POST", "/admins/{username}/reset-password", Role.ADMIN, this::reset,
                        "Replace an administrator's password with a one-time password", null, "{oneTimePassword}"),
                new Route("GET", "/tokens", Role.ADMIN, r -> tokens.list(),
                        "List API tokens (never their secrets) with owner (createdBy) and expiry", null,
                        "array of tokens"),
                new Route("POST", "/tokens", Role.ADMIN, this::createToken,
                        "Create an API token bound to a role, owned by the caller, expiring after expiresInDays"
                                + " (default 90, at most 365); the token is shown once",
                        "{name, role, expiresInDays?}", "{id, name, role, createdBy, expiresAt, token}"),
                new Route("DELETE", "/tokens/{id}", Role.ADMIN, this::revokeToken, "Revoke an API token", null, "204"));
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
        boolean self = username.equals(r.principal().name());
        if (j.has("role")) {
            Role role = role(r);
            if (self && role != Role.ADMIN) {
                throw ApiException.badRequest("role", "you cannot take the admin role from yourself");
            }
            accounts.setRole(username, role, r.actor());
            sessions.invalidateUser(username);
        }
        if (j.has("disabled")) {
            if (!j.get("disabled").isBoolean()) {
                throw ApiException.badRequest("disabled", "disabled must be true or false");
            }
            if (self && j.get("disabled").asBoolean()) {
                throw ApiException.badRequest("disabled", "you cannot disable yourself");
            }
            accounts.setDisabled(username, j.get("disabled").asBoolean(), r.actor());
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
