package io.swarmgate.console;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.Audit;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.audit.Outcome;
import io.swarmgate.audit.SecurityDigest;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administrator accounts: creation with one-time passwords, password changes, sign-in with
 * back-off ({@link LoginThrottle}) and bounded hashing ({@link HashGate}), disabling. The CLI, the REST API and {@code init} all come through here.
 *
 * <p>Every change is written together with its audit entry in one transaction; sign-ins and
 * their failures are recorded too, and sign-ins refused during back-off are counted by the
 * {@link SecurityDigest} (a flood of them costs one entry per minute and address). Passwords are
 * hashed before the transaction starts, so the audit log's ordering lock is never held for that.
 */
public final class AdminAccounts {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAccounts.class);
    public static final int MIN_PASSWORD_LENGTH = 12;
    /** The account {@code init} creates. */
    public static final String FIRST_ADMIN = "admin";
    /** The form of a username, in the regular-expression syntax Java and ECMAScript share (the API documents it). */
    public static final String USERNAME_PATTERN = "[a-z][a-z0-9._-]{1,63}";
    private static final Pattern USERNAME = Pattern.compile(USERNAME_PATTERN);
    private static final char[] ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

    private final AdminRepository repository;
    private final PasswordHasher hasher;
    private final HashGate gate;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Consumer<String> passwordChanged;
    private final AuditLog audit;
    private final SecurityDigest digest;
    /** Verified against when the username is unknown, so timing does not reveal which names exist. */
    private final String decoyHash;

    /**
     * @param passwordChanged told the username whenever an administrator sets their own password
     *                        (used to delete the initial one-time password file)
     */
    public AdminAccounts(AdminRepository repository, PasswordHasher hasher, HashGate gate, LoginThrottle throttle,
                         Clock clock, Consumer<String> passwordChanged, Audit audit) {
        this.audit = audit.log();
        this.digest = audit.digest();
        this.passwordChanged = passwordChanged;
        this.repository = repository;
        this.hasher = hasher;
        this.gate = gate;
        this.throttle = throttle;
        this.clock = clock;
        this.decoyHash = hasher.hash("decoy-password-never-valid");
    }

    /**
     * The accounts in {@code database}, with the configured hashing cost, hashing concurrency and
     * sign-in back-off. An
     * administrator setting the first account's password deletes the one-time password file that
     * the first start left in the data directory. The appliance, {@code init} and the local
     * administration commands all build them here.
     */
    public static AdminAccounts open(ApplianceConfig.Auth auth, Database database, DataDirectory dataDir,
                                     Clock clock, Audit audit) {
        return new AdminAccounts(new AdminRepository(database.dataSource()),
                new PasswordHasher(auth.argon2MemoryKib(), auth.argon2Iterations()),
                HashGate.forConfig(auth.maxConcurrentHashes(), auth.argon2MemoryKib()),
                new LoginThrottle(auth.lockoutFailures(), Duration.ofMinutes(auth.lockoutMinutes()), clock), clock,
                username -> {
                    if (FIRST_ADMIN.equals(username)) {
                        try {
                            Files.deleteIfExists(dataDir.initialPasswordFile());
                        } catch (IOException e) {
                            LOG.warn("accounts - cannot delete {}: {}", dataDir.initialPasswordFile(), e.getMessage());
                        }
                    }
                }, audit);
    }

    public List<AdminAccount> list() throws SQLException {
        return repository.list();
    }

    public Optional<AdminAccount> find(String username) throws SQLException {
        return repository.find(username);
    }

    public boolean isEmpty() throws SQLException {
        return repository.count() == 0;
    }

    /** Creates an account and returns its one-time password, which must be changed at first login. */
    public String add(String username, Role role, Actor actor) throws SQLException, AuthException {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new AuthException("invalid_field", "username", "username must be 2-64 lower-case letters, digits,"
                    + " '.', '_' or '-', starting with a letter");
        }
        if (repository.find(username).isPresent()) {
            throw new AuthException("conflict", "username", "an administrator named " + username + " exists");
        }
        String password = oneTimePassword();
        String hash = gate.run(() -> hasher.hash(password));
        audit.transaction(c -> {
            repository.insert(c, username, role, hash, true, clock.instant());
            return audit.append(c, AuditEvent.success(actor, "admin.created", username).with("role", role.wire()));
        });
        LOG.info("{} - administrator created with role {} by {}", username, role.wire(), actor.name());
        return password;
    }

    /** Replaces the password with a new one-time password (for an admin who forgot theirs). */
    public String resetPassword(String username, Actor actor) throws SQLException, AuthException {
        String password = oneTimePassword();
        String hash = gate.run(() -> hasher.hash(password));
        if (!changePasswordRow(username, hash, true, AuditEvent.success(actor, "admin.password-reset", username))) {
            throw new AuthException("not_found", "username", "no administrator named " + username);
        }
        throttle.clear(username);
        LOG.info("{} - password reset to a one-time password", username);
        return password;
    }

    /**
     * Checks credentials from {@code source}. Every refusal — unknown name, wrong password,
     * disabled account, name or source in back-off — is the same {@code invalid_credentials}
     * error; a refusal in back-off only adds its Retry-After. Unknown names are hashed against a
     * decoy so they cost as much as known ones. Attempts are counted by {@link LoginThrottle}
     * before hashing, and hashing goes through the {@link HashGate} ({@code too_many_attempts}
     * when it is full).
     */
    public AdminAccount authenticate(String username, String password, InetAddress source)
            throws SQLException, AuthException {
        String name = username == null ? "" : username;
        Duration wait = throttle.waitFor(name, source);
        if (!wait.isZero()) {
            delayed(source);
            throw refused(wait);
        }
        return gate.run(() -> {
            // Checked again, and the attempt counted, only now: callers that waited in the gate
            // may find the name or the source in back-off by the time it is their turn.
            Duration w = throttle.reserve(name, source);
            if (!w.isZero()) {
                delayed(source);
                throw refused(w);
            }
            Optional<String> hash = repository.passwordHash(name);
            boolean matches = hasher.verify(password == null ? "" : password, hash.orElse(decoyHash));
            Optional<AdminAccount> account = repository.find(name);
            if (!matches || hash.isEmpty() || account.isEmpty() || account.get().disabled()) {
                Optional<Instant> until = throttle.throttledUntil(name);
                if (until.isPresent()) {
                    LOG.warn("{} - sign-in attempts delayed until {} after failed ones (last from {})", name,
                            until.get(), LoginThrottle.sourceKey(source));
                }
                signInFailed(account.isPresent() ? name : null, source,
                        account.isEmpty() ? "unknown account" : !matches ? "wrong password" : "account disabled",
                        until);
                throw refused(Duration.ZERO);
            }
            throttle.succeeded(name, source);
            Instant now = clock.instant();
            Actor actor = Actor.admin(name, source);
            audit.transaction(c -> {
                repository.succeededLogin(c, name, now);
                return audit.append(c, AuditEvent.success(actor, "auth.sign-in", name)
                        .with("mustChangePassword", account.get().mustChangePassword()));
            });
            AdminAccount signedIn = account.get();
            return new AdminAccount(signedIn.username(), signedIn.role(), signedIn.mustChangePassword(),
                    signedIn.disabled(), signedIn.createdAt(), now);
        });
    }

    /**
     * Records a failed sign-in and, when it put the name in back-off, the back-off. A name that
     * is no account is not written down: people type passwords into the username field.
     */
    private void signInFailed(String knownName, InetAddress source, String reason, Optional<Instant> backoffUntil)
            throws SQLException {
        Actor actor = knownName == null ? new Actor("unknown", null).from(source) : Actor.admin(knownName, source);
        audit.transaction(c -> {
            audit.append(c, AuditEvent.of(actor, "auth.sign-in", knownName, Outcome.FAILURE).with("reason", reason));
            if (backoffUntil.isPresent()) {
                audit.append(c, AuditEvent.success(Actor.SYSTEM.from(source), "auth.backoff", knownName)
                        .with("until", backoffUntil.get().toString()));
            }
            return null;
        });
    }

    /**
     * A sign-in refused unevaluated during back-off: counted, recorded once a minute per address.
     * Without the name: looking it up would give a flood of refused attempts the database work the
     * back-off exists to spare, and the name that went into back-off is in {@code auth.backoff}.
     */
    private void delayed(InetAddress source) {
        digest.count("auth.sign-in-delayed", source, null, "backoff");
    }

    private static AuthException refused(Duration wait) {
        int seconds = wait.isZero() ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, (wait.toMillis() + 999) / 1000));
        return new AuthException("invalid_credentials", null, "wrong username or password", seconds);
    }

    /** Until when sign-ins to {@code username} are refused, if they are now. */
    public Optional<Instant> throttledUntil(String username) {
        return throttle.throttledUntil(username);
    }

    /** Changes a password after checking the current one and the password rules. */
    public void changePassword(String username, String current, String next, Actor actor)
            throws SQLException, AuthException {
        String hash = repository.passwordHash(username)
                .orElseThrow(() -> new AuthException("not_found", null, "no administrator named " + username));
        if (current == null || !gate.run(() -> hasher.verify(current, hash))) {
            audit.record(AuditEvent.of(actor, "auth.password-changed", username, Outcome.FAILURE)
                    .with("reason", "wrong current password"));
            throw new AuthException("invalid_credentials", "currentPassword", "the current password is wrong");
        }
        checkRules(username, next);
        if (next.equals(current)) {
            throw new AuthException("invalid_field", "newPassword", "the new password must differ from the current one");
        }
        String nextHash = gate.run(() -> hasher.hash(next));
        changePasswordRow(username, nextHash, false, AuditEvent.success(actor, "auth.password-changed", username));
        LOG.info("{} - password changed", username);
        passwordChanged.accept(username);
    }

    /** Sets a password chosen by an administrator (CLI {@code admin passwd --password-stdin}). */
    public void setPassword(String username, String next, boolean mustChange, Actor actor)
            throws SQLException, AuthException {
        checkRules(username, next);
        String hash = gate.run(() -> hasher.hash(next));
        if (!changePasswordRow(username, hash, mustChange, AuditEvent.success(actor, "admin.password-set", username)
                .with("mustChangePassword", mustChange))) {
            throw new AuthException("not_found", "username", "no administrator named " + username);
        }
        throttle.clear(username);
        LOG.info("{} - password set", username);
    }

    static void checkRules(String username, String password) throws AuthException {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw new AuthException("invalid_field", "newPassword", "the password must have at least "
                    + MIN_PASSWORD_LENGTH + " characters");
        }
        if (password.length() > 256) {
            throw new AuthException("invalid_field", "newPassword", "the password must have at most 256 characters");
        }
        if (password.toLowerCase().contains(username.toLowerCase())) {
            throw new AuthException("invalid_field", "newPassword", "the password must not contain the username");
        }
    }

    /** The new password hash and its audit entry, in one transaction; false if there is no such account. */
    private boolean changePasswordRow(String username, String hash, boolean mustChange, AuditEvent event)
            throws SQLException {
        return audit.transaction(c -> {
            if (!repository.setPassword(c, username, hash, mustChange, clock.instant())) {
                return false;
            }
            audit.append(c, event);
            return true;
        });
    }

    public void setDisabled(String username, boolean disabled, Actor actor) throws SQLException, AuthException {
        change(username, null, disabled, null, actor);
    }

    public void setRole(String username, Role role, Actor actor) throws SQLException, AuthException {
        change(username, role, null, null, actor);
    }

    /**
     * Changes an account's role and/or disabled state ({@code null}: unchanged), both or neither.
     * Refused with {@code last_admin} when no enabled account with the admin role would remain:
     * nobody could then manage accounts, tokens or certificates, and only someone with a shell on
     * the appliance could recover. Synchronized so that two changes to two admins cannot each
     * count the other as the one that remains. Each change is recorded with the state before.
     *
     * @param self  the administrator making the change (through a token: its owner), who may not
     *              disable or demote themselves; null for the local command line
     * @param actor who made the change, as the audit log records it
     */
    public synchronized void change(String username, Role role, Boolean disabled, String self, Actor actor)
            throws SQLException, AuthException {
        AdminAccount account = repository.find(username)
                .orElseThrow(() -> new AuthException("not_found", "username", "no administrator named " + username));
        boolean adminAfter = (role == null ? account.role() : role) == Role.ADMIN
                && !(disabled == null ? account.disabled() : disabled);
        boolean adminBefore = account.role() == Role.ADMIN && !account.disabled();
        String field = role != null && role != Role.ADMIN ? "role" : "disabled";
        if (adminBefore && !adminAfter && activeAdmins() <= 1) {
            throw new AuthException("last_admin", field, username + " is the last enabled administrator with the"
                    + " admin role; give another account the admin role first");
        }
        if (username.equals(self) && role != null && role != Role.ADMIN) {
            throw new AuthException("invalid_field", "role", "you cannot take the admin role from yourself");
        }
        if (username.equals(self) && Boolean.TRUE.equals(disabled)) {
            throw new AuthException("invalid_field", "disabled", "you cannot disable yourself");
        }
        boolean newRole = role != null && role != account.role();
        boolean newState = disabled != null && disabled != account.disabled();
        if (!newRole && !newState) {
            return;
        }
        Instant now = clock.instant();
        audit.transaction(c -> {
            if (newRole) {
                repository.setRole(c, username, role, now);
                audit.append(c, AuditEvent.success(actor, "admin.role-changed", username)
                        .with("before", account.role().wire()).with("after", role.wire()));
            }
            if (newState) {
                repository.setDisabled(c, username, disabled, now);
                audit.append(c, AuditEvent.success(actor, disabled ? "admin.disabled" : "admin.enabled", username)
                        .with("wasDisabled", account.disabled()));
            }
            return null;
        });
        if (newRole) {
            LOG.info("{} - role changed to {}", username, role.wire());
        }
        if (newState) {
            LOG.info("{} - {}", username, disabled ? "disabled" : "enabled");
        }
    }

    private long activeAdmins() throws SQLException {
        return repository.list().stream().filter(a -> a.role() == Role.ADMIN && !a.disabled()).count();
    }

    /**
     * Creates the first administrator, {@code admin}, when there is none, and writes its one-time
     * password to {@code passwordFile} (owner-only) for whoever installed the appliance.
     * {@code actor} is who created it: the appliance at its first start, or {@code init}'s user.
     *
     * @return true if the account was created
     */
    public boolean ensureFirstAdmin(java.nio.file.Path passwordFile, Actor actor) throws SQLException, AuthException {
        if (!isEmpty()) {
            return false;
        }
        String password = add(FIRST_ADMIN, Role.ADMIN, actor);
        io.swarmgate.store.DataDirectory.writePrivateFile(passwordFile,
                (password + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        LOG.info("{} - first administrator created; its one-time password is in {}", FIRST_ADMIN, passwordFile);
        return true;
    }

    private String oneTimePassword() {
        char[] p = new char[16];
        for (int i = 0; i < p.length; i++) {
            p[i] = ONE_TIME_ALPHABET[random.nextInt(ONE_TIME_ALPHABET.length)];
        }
        return new String(p);
    }
}
