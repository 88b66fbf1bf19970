package io.swarmgate.signaling;

import io.swarmgate.mesh.Coordinator;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a policy or site-map change to the viewers already connected: viewers the new policy
 * refuses are disconnected, viewers whose mesh rules changed are placed again (their old
 * neighbours hear {@code neighbour-gone}), and everyone whose effective policy changed gets a
 * {@code policy} message. Runs on the mesh thread, queued behind the joins before it.
 *
 * <p>It also ends token-secret rotations: while a rotated policy's grace lasts, viewers whose
 * token was signed with the previous secret stay; the sweeper asks every second
 * ({@link #graceCheck}) and, once a grace has ended, the re-check closes those viewers with
 * {@code token_invalid}. Viewers whose token verifies under the new secret are kept.
 */
final class PolicyRecheck implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyRecheck.class);

    private final Admission admission;
    private final SessionRegistry registry;
    private final Coordinator coordinator;
    private final ViewerLifecycle lifecycle;
    private final Errors errors;
    private final Clock clock;
    /** The earliest end of a rotation grace still to come, or null. Mesh thread only. */
    private Instant nextGraceEnd;

    PolicyRecheck(Admission admission, SessionRegistry registry, Coordinator coordinator, ViewerLifecycle lifecycle,
                  Errors errors, Clock clock) {
        this.admission = admission;
        this.registry = registry;
        this.coordinator = coordinator;
        this.lifecycle = lifecycle;
        this.errors = errors;
        this.clock = clock;
    }

    /** Remembers to re-check when {@code graceEnd} (a rotation's grace end, may be null) has passed. */
    void watch(Instant graceEnd) {
        if (graceEnd != null && graceEnd.isAfter(clock.instant())
                && (nextGraceEnd == null || graceEnd.isBefore(nextGraceEnd))) {
            nextGraceEnd = graceEnd;
        }
    }

    /** Called every second: re-checks every viewer once a rotation grace has ended. */
    void graceCheck() {
        if (nextGraceEnd != null && !clock.instant().isBefore(nextGraceEnd)) {
            LOG.info("signaling - a viewer token rotation grace ended; re-checking viewers");
            run();
        }
    }

    @Override
    public void run() {
        nextGraceEnd = null;
        for (ViewerSession s : registry.viewers()) {
            if (s.closed() || s.membership() == null) {
                continue; // suspended viewers are re-checked when they resume
            }
            try {
                recheck(s);
            } catch (RuntimeException e) {
                LOG.warn("{} - could not apply the policy change", s.label(), e);
            }
        }
    }

    private void recheck(ViewerSession s) {
        ViewerSession.Membership m = s.membership();
        Admission.Decision decision = admission.recheck(m, s.origin, s.address, clock.instant());
        if (decision instanceof Admission.Refused refused) {
            errors.refuse(s, refused); // its close takes it out of the mesh
            return;
        }
        Admission.Admitted next = (Admission.Admitted) decision;
        watch(next.policy().tokens().graceEnds());
        // A barred viewer stays barred: what it is told comes from the moved membership.
        ViewerSession.Membership moved = m.movedTo(next.streamId(), next.policy(), next.effective(), next.inMesh());
        if (!moved.effective().equals(m.effective())) {
            s.send(new ServerMessage.PolicyUpdate(moved.effective()));
        }
        if (!admission.rulesChanged(m, next)) {
            s.moveTo(moved);
            return;
        }
        registry.leaveSwarmSite(s);
        if (m.inMesh()) {
            for (String n : coordinator.neighbours(m.peerId())) {
                s.send(new ServerMessage.NeighbourGone(n, "policy"));
            }
            coordinator.leave(m.peerId());
        }
        s.moveTo(moved);
        lifecycle.place(s, null);
    }
}
