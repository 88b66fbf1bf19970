package io.swarmgate.server;

import io.swarmgate.api.Json;
import io.swarmgate.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /healthz}: the process is up and serving (for systemd watchdogs and load balancers'
 * liveness checks). {@code GET /readyz}: the appliance can do its work — the database is there,
 * reachable, and at the schema version this build migrated to, and the appliance is not draining
 * for a stop; 503 otherwise, with the failing check named (status {@code draining} while stopping,
 * so a load balancer's health check takes it out before its viewers are told to move).
 *
 * <p>Both answer anyone who can reach the port, so they carry a status word per check and nothing
 * more: the detail behind it (a file system path, a driver's message that may quote SQL) goes to
 * the log, once each time the status changes, so a prober polling every second does not flood it.
 */
final class HealthHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(HealthHandler.class);

    private final Database database;
    private final String version;
    private final Clock clock;
    private final Instant started;
    private volatile String lastDatabaseStatus = "ok";
    private volatile boolean draining;

    HealthHandler(Database database, String version, Clock clock) {
        this.database = database;
        this.version = version;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** The appliance is stopping: readiness fails from now on, whatever the database says. */
    void drain() {
        draining = true;
        LOG.info("readiness - draining: /readyz answers 503 until the appliance stops");
    }

    boolean draining() {
        return draining;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        // The full path: below PathMappingsHandler the path in context is what follows the mapping.
        String path = request.getHttpURI().getPath();
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.getHeaders().put("Allow", "GET, HEAD");
            Json.error(response, HttpStatus.METHOD_NOT_ALLOWED_405, "method_not_allowed",
                    "only GET and HEAD are allowed on " + path, callback);
            return true;
        }
        if ("/healthz".equals(path)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "up");
            body.put("version", version);
            body.put("uptimeSeconds", Duration.between(started, clock.instant()).toSeconds());
            Json.write(response, HttpStatus.OK_200, body, callback);
            return true;
        }
        if ("/readyz".equals(path)) {
            Database.Readiness db = database.readiness();
            Map<String, Object> body = new LinkedHashMap<>();
            boolean ready = db.ready() && !draining;
            body.put("status", draining ? "draining" : ready ? "ready" : "not_ready");
            body.put("checks", Map.of("database", Map.of("status", db.status()),
                    "serving", Map.of("status", draining ? "draining" : "ok")));
            logChange(db);
            Json.write(response, ready ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503, body, callback);
            return true;
        }
        return false;
    }

    private void logChange(Database.Readiness db) {
        String previous = lastDatabaseStatus;
        if (previous.equals(db.status())) {
            return;
        }
        lastDatabaseStatus = db.status();
        if (db.ready()) {
            LOG.info("readiness - database {} again: {}", db.status(), db.detail());
        } else {
            LOG.warn("readiness - database {}: {}", db.status(), db.detail());
        }
    }
}
