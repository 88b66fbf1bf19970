package io.swarmgate.signaling;

import io.swarmgate.integrity.SegmentHashes;

/**
 * {@code hash}: a viewer asks for a segment's SHA-256 as the origin serves it (docs/protocol.md,
 * "Segment integrity"). Runs on the I/O thread; the answer is queued on the session by whichever
 * thread completes the anchor's lookup. Each viewer may have {@link #MAX_PENDING} unanswered.
 */
final class HashRequests {

    /** Unanswered {@code hash} requests a viewer may have. */
    static final int MAX_PENDING = 32;

    private final SegmentHashes hashes;
    private final Errors errors;

    HashRequests(SegmentHashes hashes, Errors errors) {
        this.hashes = hashes;
        this.errors = errors;
    }

    /**
     * Answers {@code hash} when the anchor knows (at once from its cache, else when its one fetch
     * from the origin completes, on the thread that completes it). A viewer out of the mesh has no
     * use for hashes and gets {@code not_allowed} without a fetch.
     */
    void answer(ViewerSession s, ViewerSession.Membership m, ClientMessage.HashRequest ask) {
        String range = ask.url().range() == null ? null : ask.url().range().toString();
        if (!m.inMesh()) {
            s.send(new ServerMessage.SegmentHash(ask.segment(), range, null, 0, SegmentHashes.Failure.NOT_ALLOWED.wire));
            return;
        }
        if (s.pendingHashes.incrementAndGet() > MAX_PENDING) {
            s.pendingHashes.decrementAndGet();
            errors.send(s, ErrorCode.RATE_LIMITED, "more than " + MAX_PENDING
                    + " hash requests unanswered; request dropped", "hash");
            return;
        }
        hashes.lookup(m.policy(), ask.url()).whenComplete((answer, error) -> {
            s.pendingHashes.decrementAndGet();
            if (answer instanceof SegmentHashes.Known known) {
                s.send(new ServerMessage.SegmentHash(ask.segment(), range, known.sha256(), known.length(), null));
            } else {
                String code = answer instanceof SegmentHashes.Failed failed ? failed.failure().wire
                        : SegmentHashes.Failure.ORIGIN_UNAVAILABLE.wire;
                s.send(new ServerMessage.SegmentHash(ask.segment(), range, null, 0, code));
            }
        });
    }
}
