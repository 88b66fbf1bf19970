package io.swarmgate.audit;

import java.util.Locale;
import java.util.Optional;

/** How a recorded action ended. */
public enum Outcome {
    /** It happened. */
    SUCCESS,
    /** It was tried and did not happen: a wrong password, a rejected certificate. */
    FAILURE,
    /** It was refused by a rule before it was tried: a role, a back-off, an admission check. */
    DENIED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Outcome> fromWire(String value) {
        for (Outcome o : values()) {
            if (o.wire().equals(value)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }
}
