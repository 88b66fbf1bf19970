package io.swarmgate.signaling;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Sends {@code error} messages and counts them by code, for the metrics; safe on any thread. */
final class Errors {

    private final Map<ErrorCode, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile RefusalListener refusals;

    void onRefusal(RefusalListener listener) {
        this.refusals = listener;
    }

    void send(ViewerSession s, ErrorCode code, String message, String ref) {
        counts.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
        s.send(new ServerMessage.Error(code, message, ref));
    }

    /** Tells the viewer why it may not watch, then closes with policy violation. */
    void refuse(ViewerSession s, Admission.Refused refusal) {
        RefusalListener listener = refusals;
        if (listener != null) {
            listener.refused(s.address, s.origin, refusal.code().wire());
        }
        send(s, refusal.code(), refusal.message(), "hello");
        s.close(CloseCodes.POLICY_VIOLATION, refusal.code().wire());
    }

    /** Error messages sent, by code, since start. */
    Map<ErrorCode, Long> snapshot() {
        Map<ErrorCode, Long> out = new EnumMap<>(ErrorCode.class);
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
