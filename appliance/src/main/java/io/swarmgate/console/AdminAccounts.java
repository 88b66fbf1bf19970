package io.swarmgate.console;

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
    /** Verified against when the username is unknown, so timing does not reveal which names exist. */
    private final String decoyHash;

    /**
     * @param passwordChanged told the username whenever an administrator sets their own password
     *                        (used to delete the initial one-time password file)
     */
    public AdminAccounts(AdminRepository repository, PasswordHasher hasher, HashGate gate, LoginThrottle throttle,
                         Clock clock, Consumer<String> passwordChanged) {
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
                                     Clock clock) {
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
                });
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
    public String add(String username, Role role) throws SQLException, AuthException {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new AuthException("invalid_field", "username", "username must be 2-64 lower-case letters, digits,"
                    + " '.', '_' or '-', starting with a letter");
        }
        if (repository.find(username).isPresent()) {
            throw new AuthException("conflict", "username", "an administrator named " + username + " exists");
        }
        String password = oneTimePassword();
        String hash = gate.run(() -> hasher.hash(password));
        repository.insert(username, role, hash, true, clock.instant());
        LOG.info("{} - administrator created with role {}", username, role.wire());
        return password;
    }

    /** Replaces the password with a new one-time password (for an admin who forgot theirs). */
    public String resetPassword(String username) throws SQLException, AuthException {
        String password = oneTimePassword();
        String hash = gate.run(() -> hasher.hash(password));
        if (!repository.setPassword(username, hash, true, clock.instant())) {
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
            throw refused(wait);
        }
        return gate.run(() -> {
            // Checked again, and the attempt counted, only now: callers that waited in the gate
            // may find the name or the source in back-off by the time it is their turn.
            Duration w = throttle.reserve(name, source);
            if (!w.isZero()) {
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
                throw refused(Duration.ZERO);
            }
            throttle.succeeded(name, source);
            Instant now = clock.instant();
            repository.succeededLogin(name, now);
            AdminAccount signedIn = account.get();
            return new AdminAccount(signedIn.username(), signedIn.role(), signedIn.mustChangePassword(),
                    signedIn.disabled(), signedIn.createdAt(), now);
        });
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
    public void changePassword(String username, String current, String next) throws SQLException, AuthException {
        String hash = repository.passwordHash(username)
                .orElseThrow(() -> new AuthException("not_found", null, "no administrator named " + username));
        if (current == null || !gate.run(() -> hasher.verify(current, hash))) {
            throw new AuthException("invalid_credentials", "currentPassword", "the current password is wrong");
        }
        checkRules(username, next);
        if (next.equals(current)) {
            throw new AuthException("invalid_field", "newPassword", "the new password must differ from the current one");
        }
        repository.setPassword(username, gate.run(() -> hasher.hash(next)), false, clock.instant());
        LOG.info("{} - password changed", username);
        passwordChanged.accept(username);
    }

    /** Sets a password chosen by an administrator (CLI {@code admin passwd --password-stdin}). */
    public void setPassword(String username, String next, boolean mustChange) throws SQLException, AuthException {
        checkRules(username, next);
        if (!repository.setPassword(username, gate.run(() -> hasher.hash(next)), mustChange, clock.instant())) {
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

    public void setDisabled(String username, boolean disabled) throws SQLException, AuthException {
        change(username, null, disabled, null);
    }

    public void setRole(String username, Role role) throws SQLException, AuthException {
        change(username, role, null, null);
    }

    /**
     * Changes an account's role and/or disabled state ({@code null}: unchanged), both or neither.
     * Refused with {@code last_admin} when no enabled account with the admin role would remain:
     * nobody could then manage accounts, tokens or certificates, and only someone with a shell on
     * the appliance could recover. Synchronized so that two changes to two admins cannot each
     * count the other as the one that remains.
     *
     * @param actor the administrator making the change (through a token: its owner), who may not
     *              disable or demote themselves; null for the local command line
     */
    public synchronized void change(String username, Role role, Boolean disabled, String actor)
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
        if (username.equals(actor) && role != null && role != Role.ADMIN) {
            throw new AuthException("invalid_field", "role", "you cannot take the admin role from yourself");
        }
        if (username.equals(actor) && Boolean.TRUE.equals(disabled)) {
            throw new AuthException("invalid_field", "disabled", "you cannot disable yourself");
        }
        Instant now = clock.instant();
        if (role != null && role != account.role()) {
            repository.setRole(username, role, now);
            LOG.info("{} - role changed to {}", username, role.wire());
        }
        if (disabled != null && disabled != account.disabled()) {
            repository.setDisabled(username, disabled, now);
            LOG.info("{} - {}", username, disabled ? "disabled" : "enabled");
        }
    }

    private long activeAdmins() throws SQLException {
        return repository.list().stream().filter(a -> a.role() == Role.ADMIN && !a.disabled()).count();
    }

    /**
     * Creates the first administrator, {@code admin}, when there is none, and writes its one-time
     * password to {@code passwordFile} (owner-only) for whoever installed the appliance.
     *
     * @return true if the account was created
     */
    public boolean ensureFirstAdmin(java.nio.file.Path passwordFile) throws SQLException, AuthException {
        if (!isEmpty()) {
            return false;
        }
        String password = add(FIRST_ADMIN, Role.ADMIN);
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
