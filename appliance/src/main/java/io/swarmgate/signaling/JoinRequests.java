package io.swarmgate.signaling;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A viewer's {@code hello} on its I/O thread: the protocol version, the stream its signaling URL
 * named, {@link Admission}; then its join is queued on the mesh thread ({@link ViewerLifecycle#admit}),
 * or refused with {@code overloaded} and close 1013 when too many joins wait there.
 */
final class JoinRequests {

    /** Logged under the service's name, where operators have always found refused joins. */
    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);

    private final Admission admission;
    private final MeshQueue mesh;
    private final ViewerLifecycle lifecycle;
    private final PolicyRecheck recheck;
    private final Errors errors;

    JoinRequests(Admission admission, MeshQueue mesh, ViewerLifecycle lifecycle, PolicyRecheck recheck, Errors errors) {
        this.admission = admission;
        this.mesh = mesh;
        this.lifecycle = lifecycle;
        this.recheck = recheck;
        this.errors = errors;
    }

    /** Admission runs here; the viewer's welcome and placement follow on the mesh thread. */
    void hello(ViewerSession s, ClientMessage.Hello hello) {
        if (hello.version() != SignalingCodec.VERSION) {
            errors.send(s, ErrorCode.UNSUPPORTED_VERSION, "this appliance speaks signaling protocol v"
                    + SignalingCodec.VERSION + ", not v" + hello.version(), "hello");
            s.close(CloseCodes.UNSUPPORTED_VERSION, "unsupported protocol version");
            return;
        }
        if (s.urlStream != null && !s.urlStream.equals(hello.stream())) {
            errors.refuse(s, new Admission.Refused(ErrorCode.INVALID_FIELD, "stream: the hello names stream '"
                    + SignalingCodec.truncate(hello.stream()) + "' but the signaling URL named '"
                    + SignalingCodec.truncate(s.urlStream) + "'; they must be the same"));
            return;
        }
        Admission.Decision decision = admission.hello(hello, s.origin, s.address);
        if (decision instanceof Admission.Refused refused) {
            errors.refuse(s, refused);
            return;
        }
        Admission.Admitted admitted = (Admission.Admitted) decision;
        if (!admitted.trusted()) {
            errors.send(s, ErrorCode.NOT_TRUSTED_NETWORK, s.address.getHostAddress()
                    + " is outside the trusted networks; playing over HTTP only", "hello");
        }
        String id = PeerIds.newPeerId();
        String secret = PeerIds.newSecret();
        if (!mesh.offer("join", () -> {
            lifecycle.admit(s, hello, admitted, id, secret);
            // A token of the previous secret admitted during a rotation's grace must go when it ends.
            recheck.watch(admitted.policy().tokens().graceEnds());
        })) {
            LOG.info("{} - join refused: {} joins waiting for the mesh thread", s.address, mesh.refusableWaiting());
            errors.send(s, ErrorCode.OVERLOADED, "the appliance is busy; try again later", "hello");
            s.close(CloseCodes.TRY_AGAIN_LATER, "overloaded");
            return;
        }
        // Before any later message of this connection is read (same I/O thread): no second hello.
        s.helloAccepted();
    }
}
