package io.swarmgate.mesh;

/** Per-site peer-to-peer mode of a stream policy. */
public enum P2pMode {
    /** Viewers download from and upload to neighbours. */
    ON,
    /** Viewers only download: they are attached to uploaders and never serve anyone. */
    DOWNLOAD_ONLY,
    /** Viewers get no neighbours and play over HTTP only. */
    OFF
}
