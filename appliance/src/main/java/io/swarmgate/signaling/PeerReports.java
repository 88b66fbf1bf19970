package io.swarmgate.signaling;

/**
 * What a viewer says about its neighbours and its own reach, checked on the I/O thread and handed
 * to the mesh thread ({@link ViewerLifecycle}): a {@code failing} report about a neighbour,
 * whether its QoE {@code report} says a data channel is open, which decides whether it may lead
 * ({@link ConnectReports}), and the renditions it plays ({@code tracks}), which decide what it may lead. Only a change of the latter goes to the mesh thread, so a crowd's
 * steady reports add no mesh work; one the busy queue refused is offered again with the next
 * report. A refused {@code failing} report is answered with {@code overloaded}.
 */
final class PeerReports {

    private final Relay relay;
    private final MeshQueue mesh;
    private final ViewerLifecycle lifecycle;
    private final Errors errors;

    PeerReports(Relay relay, MeshQueue mesh, ViewerLifecycle lifecycle, Errors errors) {
        this.relay = relay;
        this.mesh = mesh;
        this.lifecycle = lifecycle;
        this.errors = errors;
    }

    /** A {@code failing} report about {@code failing.peer()}, which must be the sender's neighbour. */
    void failing(ViewerSession s, ViewerSession.Membership m, ClientMessage.Failing failing) throws ProtocolException {
        relay.requireNeighbour(m, failing.peer(), "failing");
        if (!mesh.offer("failing report", () -> lifecycle.reportFailing(s, failing.peer(), failing.reason()))) {
            errors.send(s, ErrorCode.OVERLOADED, "the appliance is busy; report again later", "failing");
        }
    }

    /** The renditions the viewer's player loads now ({@code tracks}), for the leaders of each. */
    void tracks(ViewerSession s, ClientMessage.Tracks tracks) {
        if (!mesh.offer("tracks", () -> lifecycle.tracks(s, tracks.tracks()))) {
            errors.send(s, ErrorCode.OVERLOADED, "the appliance is busy; send tracks again later", "tracks");
        }
    }

    /** A QoE report's {@code neighbours}: whether the viewer has a data channel open. */
    void reach(ViewerSession s, ClientMessage.Report report) {
        boolean anyOpen = report.neighbours() > 0;
        if (s.reportedOpenChanges(anyOpen) && mesh.offer("reach", () -> lifecycle.reported(s, anyOpen))) {
            s.reportedOpen(anyOpen);
        }
    }
}
