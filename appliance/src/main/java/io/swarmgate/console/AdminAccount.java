package io.swarmgate.console;

import java.time.Instant;

/**
 * A stored administrator, without its password hash. {@code failedLogins} and {@code lockedUntil}
 * are the old lockout's columns, no longer written (migration V7 reset them): the sign-in
 * back-off lives in memory, see {@link AdminAccounts#throttledUntil}.
 */
public record AdminAccount(String username, Role role, boolean mustChangePassword, boolean disabled,
                           int failedLogins, Instant lockedUntil, Instant createdAt, Instant lastLoginAt) {
}
