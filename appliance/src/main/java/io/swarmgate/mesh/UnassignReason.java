package io.swarmgate.mesh;

/** Why a neighbour was taken away; sent to the viewer so the SDK can tell churn from failure. */
public enum UnassignReason {
    /** The neighbour said bye or its socket closed for good. */
    NEIGHBOUR_LEFT,
    /** One side reported the connection as failing; the pair is blocked for a while. */
    REPORTED_FAILING,
    /** The neighbour's socket dropped and it did not resume within the grace period. */
    RESUME_EXPIRED,
    /**
     * The coordinator gave this slot to a viewer that had too few neighbours; sent only to a
     * viewer that still has more than the target degree.
     */
    REBALANCED
}
