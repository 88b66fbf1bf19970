package io.swarmgate.api;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.console.Role;
import io.swarmgate.store.Database;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
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
                Route.get("/health", Role.AUDITOR, "Version and readiness of the appliance", r -> health())
                        .returns(200, "version and readiness", Schema.object()
                                .required("version", Schema.string())
                                .required("ready", Schema.bool())
                                .required("database", Schema.object()
                                        .required("status", Schema.string())
                                        .required("detail", Schema.string().nullable()))),
                Route.get("/settings", Role.AUDITOR,
                                "The effective configuration (read-only; change it in swarmgate.conf and restart)",
                                r -> settings())
                        .returns(200, "configuration by group", Schema.object()
                                .required("server", recordSchema(ApplianceConfig.Server.class))
                                .required("dataDir", Schema.string())
                                .required("logging", recordSchema(ApplianceConfig.Logging.class))
                                .required("mesh", recordSchema(ApplianceConfig.Mesh.class))
                                .required("signaling", recordSchema(ApplianceConfig.Signaling.class))
                                .required("demo", recordSchema(ApplianceConfig.Demo.class))
                                .required("security", recordSchema(ApplianceConfig.Security.class))
                                .required("integrity", recordSchema(ApplianceConfig.Integrity.class))
                                .required("discovery", recordSchema(ApplianceConfig.Discovery.class))));
    }

    /**
     * The schema of a configuration group, read from the record itself so that a new key cannot be
     * served without being documented. Only the types configuration uses are known; another type
     * fails at start-up rather than being documented wrongly.
     */
    static Schema recordSchema(Class<? extends Record> type) {
        Schema s = Schema.object();
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> t = c.getType();
            Schema field;
            if (t == int.class || t == long.class) {
                field = Schema.integer();
            } else if (t == boolean.class) {
                field = Schema.bool();
            } else if (t == String.class) {
                field = Schema.string();
            } else if (t == List.class && c.getGenericType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] == String.class) {
                field = Schema.arrayOf(Schema.string());
            } else {
                throw new IllegalStateException("no schema for " + type.getSimpleName() + "." + c.getName() + " of type "
                        + c.getGenericType());
            }
            s = s.required(c.getName(), field);
        }
        return s;
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
        s.put("discovery", config.discovery());
        return s;
    }
}
