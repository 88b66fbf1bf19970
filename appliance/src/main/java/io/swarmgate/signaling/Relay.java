package io.swarmgate.signaling;

import io.swarmgate.mesh.Coordinator;

/**
 * Forwards WebRTC offers, answers and ICE candidates, only between viewers the coordinator paired
 * and only with candidates that keep the connection on the LAN ({@link CandidateFilter}). Runs on
 * the sender's I/O thread: the neighbour check is a lock-free coordinator read, and the target's
 * outbound queue takes the message without waiting.
 */
final class Relay {

    private final Coordinator coordinator;
    private final SessionRegistry registry;
    private final CandidateFilter candidates;
    private final Errors errors;

    Relay(Coordinator coordinator, SessionRegistry registry, CandidateFilter candidates, Errors errors) {
        this.coordinator = coordinator;
        this.registry = registry;
        this.candidates = candidates;
        this.errors = errors;
    }

    /** Relays {@code signal} from the admitted viewer {@code from}; a candidate off the LAN is refused. */
    void signal(ViewerSession from, ViewerSession.Membership sender, ClientMessage.Signal signal)
            throws ProtocolException {
        requireNeighbour(sender, signal.to(), "signal");
        ServerMessage.RelayedSignal out;
        if (signal.candidate() != null) {
            String why = candidates.rejection(signal.candidate().candidate());
            if (why != null) {
                errors.send(from, ErrorCode.CANDIDATE_REJECTED, why, "signal");
                return;
            }
            out = new ServerMessage.RelayedSignal(sender.peerId(), signal.kind(), null, signal.candidate());
        } else {
            out = new ServerMessage.RelayedSignal(sender.peerId(), signal.kind(), candidates.filterSdp(signal.sdp()), null);
        }
        ViewerSession target = registry.byPeer(signal.to());
        if (target != null) {
            target.send(out);
        }
    }

    /** Refuses a message about {@code other} unless the coordinator paired it with the sender. */
    void requireNeighbour(ViewerSession.Membership sender, String other, String ref) throws ProtocolException {
        if (!sender.inMesh() || !coordinator.isNeighbour(sender.peerId(), other)) {
            throw new ProtocolException(ErrorCode.NOT_NEIGHBOUR, SignalingCodec.truncate(other)
                    + " is not your neighbour", ref);
        }
    }
}
