package io.swarmgate.mesh;

/** Why a neighbour was taken away; sent to the viewer so the SDK can tell churn from failure. */
public enum UnassignReason {
    /** The neighbour said bye or its socket closed for good. */
    NEIGHBOUR_LEFT,
    /** One side reported the connection as failing; the pair is blocked for a while. */
    REPORTED_FAILING,
    /** The neighbour's socket dropped and it did not resume within the grace period. */
    RESUME_EXPIRED
}
