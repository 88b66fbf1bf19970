package io.swarmgate.mesh;

import java.util.Locale;
import java.util.Optional;

/** Per-site peer-to-peer mode of a stream policy. */
public enum P2pMode {
    /** Viewers download from and upload to neighbours. */
    ON,
    /** Viewers only download: they are attached to uploaders and never serve anyone. */
    DOWNLOAD_ONLY,
    /** Viewers get no neighbours and play over HTTP only. */
    OFF;

    /** The name used on the wire, in the CLI and in the database: on, download-only, off. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<P2pMode> fromWire(String value) {
        for (P2pMode m : values()) {
            if (m.wire().equals(value)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
