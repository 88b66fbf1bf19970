package io.swarmgate.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something to record: who, what, on which object, how it ended, and details. Details hold
 * strings, whole numbers, booleans, null, lists and maps (records become maps); never secrets,
 * and never fractional numbers, which have no single canonical text.
 *
 * @param action a dotted name such as {@code admin.created} or {@code stream.changed}
 * @param target what the action was on (a username, a stream id, a CIDR), or null
 */
public record AuditEvent(Actor actor, String action, String target, Outcome outcome, Map<String, Object> details) {

    public AuditEvent {
        if (actor == null || action == null || outcome == null) {
            throw new IllegalArgumentException("an audit event needs an actor, an action and an outcome");
        }
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static AuditEvent of(Actor actor, String action, String target, Outcome outcome) {
        return new AuditEvent(actor, action, target, outcome, Map.of());
    }

    public static AuditEvent success(Actor actor, String action, String target) {
        return of(actor, action, target, Outcome.SUCCESS);
    }

    /** This event with one more detail. */
    public AuditEvent with(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(key, value);
        return new AuditEvent(actor, action, target, outcome, more);
    }
}
