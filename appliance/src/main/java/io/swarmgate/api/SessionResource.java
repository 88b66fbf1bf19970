package io.swarmgate.api;

import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.console.AdminAccount;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.Role;
import io.swarmgate.console.Sessions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Console login: {@code /session} (sign in, who am I, sign out) and the password change. */
public final class SessionResource {

    private static final Schema SESSION = Schema.object()
            .required("username", Schema.string().describe("the administrator, or token:<id> for an API token"))
            .required("role", AdminResource.ROLE)
            .required("mustChangePassword", Schema.bool().describe("true: only the password change is allowed"))
            .optional("csrfToken", Schema.string().describe("send as " + ApiHandler.CSRF_HEADER
                    + " on every call but GET and HEAD; absent for API tokens"))
            .named("Session");

    private final AdminAccounts accounts;
    private final Sessions sessions;
    private final AuditLog audit;

    public SessionResource(AdminAccounts accounts, Sessions sessions, AuditLog audit) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.audit = audit;
    }

    public List<Route> routes() {
        Schema password = Schema.string(256);
        return List.of(
                Route.post("/session", null, "Sign in; sets the session cookie. Every refusal is 401"
                                + " invalid_credentials (with Retry-After while in back-off); 429 too_many_attempts when"
                                + " the appliance is hashing as many passwords as it may", this::login)
                        .json(Schema.object().required("username", Schema.string(64)).required("password", password))
                        .returns(200, "signed in; the Set-Cookie header carries the session", SESSION)
                        .fails(401, "wrong, unknown, disabled or delayed; Retry-After while delayed",
                                "invalid_credentials")
                        .fails(429, "too many sign-ins are being checked at once; Retry-After says when to retry",
                                "too_many_attempts"),
                Route.get("/session", Role.AUDITOR, "The signed-in administrator (or the API token's identity)",
                                this::current)
                        .returns(200, "the session", SESSION),
                Route.delete("/session", Role.AUDITOR, "Sign out", this::logout)
                        .returnsNothing("signed out; the cookie is cleared"),
                Route.post("/session/password", Role.AUDITOR,
                                "Change the signed-in administrator's password; ends their other sessions",
                                this::changePassword)
                        .json(Schema.object()
                                .required("currentPassword", password)
                                .required("newPassword", Schema.string(256).minLength(AdminAccounts.MIN_PASSWORD_LENGTH)
                                        .describe(AdminAccounts.MIN_PASSWORD_LENGTH + "-256 characters, without the"
                                                + " username, different from the current one")))
                        .returns(200, "the session, now without mustChangePassword", SESSION)
                        .fails(400, "an API token has no password", "session_required")
                        .fails(401, "the current password is wrong", "invalid_credentials"));
    }

    private Object login(ApiRequest r) throws Exception {
        String username = r.string("username", 64);
        String password = r.string("password", 256);
        AdminAccount account = accounts.authenticate(username, password, r.client());
        Sessions.Session session = sessions.create(account);
        String cookie = Sessions.COOKIE + "=" + session.id() + "; Path=/; Max-Age=" + sessions.maxAgeSeconds()
                + "; Secure; HttpOnly; SameSite=Strict";
        return new ApiResponse(200, body(session), null, Map.of("Set-Cookie", cookie));
    }

    private Object current(ApiRequest r) {
        return body(r.principal().session() != null ? r.principal().session() : null, r.principal());
    }

    private Object logout(ApiRequest r) throws Exception {
        if (r.principal().session() != null) {
            sessions.invalidate(r.principal().session().id());
            audit.record(AuditEvent.success(r.actor(), "auth.sign-out", r.principal().name()));
        }
        return new ApiResponse(204, null, null, Map.of("Set-Cookie",
                Sessions.COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"));
    }

    private Object changePassword(ApiRequest r) throws Exception {
        Sessions.Session session = r.principal().session();
        if (session == null) {
            throw new ApiException(400, "session_required", "API tokens have no password to change");
        }
        accounts.changePassword(session.username, r.string("currentPassword", 256), r.string("newPassword", 256),
                r.actor());
        sessions.passwordChanged(session);
        // Whoever else held a session with the old password loses it; this one stays signed in.
        sessions.invalidateOthers(session.username, session);
        return body(session);
    }

    private static Map<String, Object> body(Sessions.Session s) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("username", s.username);
        b.put("role", s.role.wire());
        b.put("mustChangePassword", s.mustChangePassword());
        b.put("csrfToken", s.csrfToken);
        return b;
    }

    private static Map<String, Object> body(Sessions.Session s, Principal p) {
        if (s != null) {
            return body(s);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("username", p.name());
        b.put("role", p.role().wire());
        b.put("mustChangePassword", false);
        return b;
    }
}
