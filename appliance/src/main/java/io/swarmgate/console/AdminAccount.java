package io.swarmgate.console;

import java.time.Instant;

/**
 * A stored administrator, without its password hash. The sign-in back-off lives in memory, see
 * {@link AdminAccounts#throttledUntil}; the old lockout's columns are no longer read or written.
 */
public record AdminAccount(String username, Role role, boolean mustChangePassword, boolean disabled,
                           Instant createdAt, Instant lastLoginAt) {
}
