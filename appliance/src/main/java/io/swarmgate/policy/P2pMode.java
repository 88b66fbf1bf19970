package io.swarmgate.policy;

import java.util.Locale;

/** Whether viewers of a stream (or of one site of it) exchange segments with each other. */
public enum P2pMode {
    /** Download from and upload to neighbours. */
    ON,
    /** Download from neighbours, never upload. */
    DOWNLOAD_ONLY,
    /** HTTP only; the viewer gets no neighbours. */
    OFF;

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static P2pMode parse(String field, String value) {
        for (P2pMode m : values()) {
            if (m.wire().equals(value)) {
                return m;
            }
        }
        throw new PolicyException(field, "must be on, download-only or off but is '" + value + "'");
    }
}
