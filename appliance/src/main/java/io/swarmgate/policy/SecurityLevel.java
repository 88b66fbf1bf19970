package io.swarmgate.policy;

import java.util.Locale;

/**
 * How far a stream's mesh is fenced in. {@code BASIC}: anyone with the stream URL joins.
 * {@code INTERMEDIATE}: only viewers inside the configured trusted networks join the mesh, and
 * handshakes never cross sites unless a site group allows it.
 */
public enum SecurityLevel {
    BASIC, INTERMEDIATE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SecurityLevel parse(String field, String value) {
        for (SecurityLevel l : values()) {
            if (l.wire().equals(value)) {
                return l;
            }
        }
        throw new PolicyException(field, "must be basic or intermediate but is '" + value + "'");
    }
}
