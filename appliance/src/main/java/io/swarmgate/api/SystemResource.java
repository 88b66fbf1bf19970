package io.swarmgate.api;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.console.Role;
import io.swarmgate.store.Database;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /health} and {@code /settings}: what the appliance runs with, read-only. */
public final class SystemResource {

    private final ApplianceConfig config;
    private final Database database;
    private final String version;

    public SystemResource(ApplianceConfig config, Database database, String version) {
        this.config = config;
        this.database = database;
        this.version = version;
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/health", Role.AUDITOR, r -> health(), "Version and readiness of the appliance", null,
                        "{version, ready, database}"),
                new Route("GET", "/settings", Role.AUDITOR, r -> settings(),
                        "The effective configuration (read-only; change it in swarmgate.conf and restart)", null,
                        "configuration by group"));
    }

    private Map<String, Object> health() {
        Database.Readiness db = database.readiness();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("version", version);
        h.put("ready", db.ready());
        h.put("database", Map.of("status", db.status(), "detail", db.detail()));
        return h;
    }

    /** The configuration records as JSON; nothing secret lives in them. */
    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("server", config.server());
        s.put("dataDir", config.dataDir().toString());
        s.put("logging", config.logging());
        s.put("mesh", config.mesh());
        s.put("signaling", config.signaling());
        s.put("demo", config.demo());
        s.put("security", config.security());
        s.put("integrity", config.integrity());
        return s;
    }
}
