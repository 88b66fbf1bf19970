package io.swarmgate.signaling;

import java.time.Clock;
import java.util.List;

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
    private final Clock clock;

    /** How often a viewer's renditions may reach the mesh thread. */
    static final long TRACKS_INTERVAL_MS = 1000;

    PeerReports(Relay relay, MeshQueue mesh, ViewerLifecycle lifecycle, Errors errors, Clock clock) {
        this.clock = clock;
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

    /**
     * The renditions the viewer's player loads now ({@code tracks}), for the leaders of each. They
     * reach the mesh thread at most once per {@link #TRACKS_INTERVAL_MS}: a change may send the whole
     * site a new {@code leaders} list, so a viewer changing them with every message is held to
     * that; the latest held ones go with the sweep after it ({@link #heldTracks}).
     */
    void tracks(ViewerSession s, ClientMessage.Tracks tracks) {
        if (s.tracksNow(tracks.tracks(), clock.millis(), TRACKS_INTERVAL_MS)) {
            hand(s, tracks.tracks());
        }
    }

    /** The once-a-second sweep: renditions held back from a viewer whose interval has passed. */
    void heldTracks(ViewerSession s) {
        List<String> due = s.heldTracksDue(clock.millis(), TRACKS_INTERVAL_MS);
        if (due != null) {
            hand(s, due);
        }
    }

    private void hand(ViewerSession s, List<String> tracks) {
        if (!mesh.offer("tracks", () -> lifecycle.tracks(s, tracks))) {
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
