package io.swarmgate.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console login sessions, held in memory (a restart signs everyone out). A session ends after
 * {@code idle} without requests or {@code absolute} after login, whichever comes first. Each
 * carries its own CSRF token, required on every state-changing request. Expired sessions are
 * removed when they are next looked up and, for those never looked up again, by the sweep every
 * sign-in runs: the map holds at most the sessions created within the absolute lifetime.
 */
public final class Sessions {

    public static final String COOKIE = "sg_session";

    /** One signed-in administrator. Mutable only in {@code lastSeen} and the password flag. */
    public static final class Session {
        final String id;
        public final String username;
        public final Role role;
        public final String csrfToken;
        final Instant created;
        volatile Instant lastSeen;
        volatile boolean mustChangePassword;

        Session(String id, String username, Role role, String csrfToken, Instant created, boolean mustChangePassword) {
            this.id = id;
            this.username = username;
            this.role = role;
            this.csrfToken = csrfToken;
            this.created = created;
            this.lastSeen = created;
            this.mustChangePassword = mustChangePassword;
        }

        public String id() {
            return id;
        }

        public boolean mustChangePassword() {
            return mustChangePassword;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idle;
    private final Duration absolute;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Sessions(Duration idle, Duration absolute, Clock clock) {
        this.idle = idle;
        this.absolute = absolute;
        this.clock = clock;
    }

    public Session create(AdminAccount account) {
        prune();
        Session s = new Session(token(), account.username(), account.role(), token(), clock.instant(),
                account.mustChangePassword());
        sessions.put(s.id, s);
        return s;
    }

    /** Removes every expired session. */
    public void prune() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
    }

    /** Sessions held, expired or not. */
    public int size() {
        return sessions.size();
    }

    private boolean expired(Session s, Instant now) {
        return now.isAfter(s.lastSeen.plus(idle)) || now.isAfter(s.created.plus(absolute));
    }

    /** The live session with this id, touching its idle timer; empty if unknown or expired. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(s, now)) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        s.lastSeen = now;
        return Optional.of(s);
    }

    /** Like {@link #find} but without counting as activity: for the live feed's periodic checks. */
    public Optional<Session> peek(String id) {
        Session s = id == null ? null : sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        return expired(s, clock.instant()) ? Optional.empty() : Optional.of(s);
    }

    public void passwordChanged(Session s) {
        s.mustChangePassword = false;
    }

    public void invalidate(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Signs a user out everywhere (disabled, role changed, password reset). */
    public void invalidateUser(String username) {
        sessions.values().removeIf(s -> s.username.equals(username));
    }

    /** Ends every session of {@code username} except {@code keep} (their own password change). */
    public void invalidateOthers(String username, Session keep) {
        sessions.values().removeIf(s -> s.username.equals(username) && s != keep);
    }

    public long maxAgeSeconds() {
        return absolute.toSeconds();
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
