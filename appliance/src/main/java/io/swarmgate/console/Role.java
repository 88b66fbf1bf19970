package io.swarmgate.console;

import java.util.Locale;
import java.util.Optional;

/**
 * What an administrator or API token may do. {@code ADMIN}: everything, including accounts, tokens
 * and certificates. {@code OPERATOR}: streams, policies and sites. {@code AUDITOR}: read-only,
 * including exports.
 */
public enum Role {
    AUDITOR, OPERATOR, ADMIN;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this role includes everything {@code required} may do. */
    public boolean atLeast(Role required) {
        return ordinal() >= required.ordinal();
    }

    public static Optional<Role> fromWire(String value) {
        for (Role r : values()) {
            if (r.wire().equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
