package io.swarmgate.audit;

import java.time.Instant;

/**
 * One stored entry of the audit log.
 *
 * @param details the canonical JSON text of the event's details
 * @param hash    SHA-256 over the previous entry's hash and {@link #canonical()}, hex
 */
public record AuditEntry(long seq, Instant time, String actor, String source, String action, String target,
                         String outcome, String details, String hash) {

    /** The text this entry's hash covers (see {@link Canonical}). */
    public String canonical() {
        return Canonical.entry(seq, time, actor, source, action, target, outcome, details);
    }
}
