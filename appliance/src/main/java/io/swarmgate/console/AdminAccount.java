package io.swarmgate.console;

import java.time.Instant;

/** A stored administrator, without its password hash. */
public record AdminAccount(String username, Role role, boolean mustChangePassword, boolean disabled,
                           int failedLogins, Instant lockedUntil, Instant createdAt, Instant lastLoginAt) {

    public boolean lockedAt(Instant now) {
        return lockedUntil != null && lockedUntil.isAfter(now);
    }
}
