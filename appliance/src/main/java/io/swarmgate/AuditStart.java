package io.swarmgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.audit.Actor;
import io.swarmgate.audit.AuditEntry;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.config.ApplianceConfig;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the audit log learns at start-up. Settings change only in the configuration file (and
 * take effect at a start), so the start compares the effective settings with the last ones
 * recorded and records {@code settings.changed} with both and the keys that differ; then
 * {@code appliance.started}.
 */
final class AuditStart {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditStart() {
    }

    static void record(AuditLog log, ApplianceConfig config, String version) throws SQLException {
        JsonNode now = MAPPER.valueToTree(config);
        List<AuditEntry> last = log.page(new AuditLog.Filter(null, null, null, "settings.changed", null), null, 1);
        JsonNode before = null;
        if (!last.isEmpty()) {
            try {
                before = MAPPER.readTree(last.get(0).details()).get("after");
            } catch (java.io.IOException e) {
                before = null; // unreadable: treat as unknown, the new settings are recorded in full
            }
        }
        Map<String, String> was = flatten(before);
        Map<String, String> is = flatten(now);
        List<String> changed = new ArrayList<>();
        for (String key : is.keySet()) {
            if (!is.get(key).equals(was.get(key))) {
                changed.add(key);
            }
        }
        was.keySet().stream().filter(k -> !is.containsKey(k)).forEach(changed::add);
        if (!changed.isEmpty()) {
            log.record(AuditEvent.success(Actor.SYSTEM, "settings.changed", null)
                    .with("changed", changed).with("before", before).with("after", now));
        }
        log.record(AuditEvent.success(Actor.SYSTEM, "appliance.started", null).with("version", version));
    }

    /** Dotted path → value text ({@code mesh.maxNeighbours} → {@code 8}), sorted. */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        if (node != null) {
            flatten("", node, out);
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else {
            out.put(prefix, node.toString());
        }
    }
}
