package io.swarmgate.policy;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.mesh.SiteRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a site import's audit entry says: how many ranges were added and changed, and the ranges
 * themselves (changed ones before and after) up to {@link #LISTED} of each, so an import of a
 * whole address plan cannot make one entry unbounded.
 */
final class SiteImportAudit {

    /** Ranges listed one by one in a site import's audit entry; beyond that only counted. */
    static final int LISTED = 1000;

    private final List<SiteRange> added = new ArrayList<>();
    private final List<Map<String, Object>> changed = new ArrayList<>();
    private int addedCount;
    private int changedCount;

    /** One imported range and what was stored under its CIDR before (empty: a new range). */
    void saw(Optional<SiteRange> before, SiteRange after) {
        if (before.isEmpty()) {
            addedCount++;
            if (added.size() < LISTED) {
                added.add(after);
            }
        } else if (!before.get().equals(after)) {
            changedCount++;
            if (changed.size() < LISTED) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("before", before.get());
                change.put("after", after);
                changed.add(change);
            }
        }
    }

    AuditEvent event(Actor actor, int rows) {
        return AuditEvent.success(actor, "site.imported", null).with("rows", rows)
                .with("added", addedCount).with("changed", changedCount)
                .with("addedRanges", added).with("changedRanges", changed);
    }
}
