package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.console.Role;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every role against every endpoint: allowed, or 403 — and the OpenAPI document lists them all. */
@Timeout(180)
class ApiRolesIT extends ApiTestBase {

    @Test
    void eachRoleIsAllowedExactlyWhatItsLevelPermits() throws Exception {
        Client admin = admin();
        Map<Role, Client> clients = Map.of(Role.ADMIN, tokenClient(admin, "admin"),
                Role.OPERATOR, tokenClient(admin, "operator"), Role.AUDITOR, tokenClient(admin, "auditor"));
        List<String> failures = new ArrayList<>();
        for (Route route : appliance.apiRoutes()) {
            if (route.role() == null) {
                continue;
            }
            String path = route.template().replace("{id}", "missing").replace("{username}", "missing");
            for (Role role : Role.values()) {
                HttpResponse<String> r = clients.get(role).send(route.method(), path,
                        "GET".equals(route.method()) || "DELETE".equals(route.method()) ? null : "{}");
                boolean allowed = role.atLeast(route.role());
                boolean forbidden = r.statusCode() == 403;
                if (allowed == forbidden || r.statusCode() == 401) {
                    failures.add(role.wire() + " " + route.method() + " " + path + " -> " + r.statusCode() + " " + r.body());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void everyEndpointNeedsASignInExceptLoginAndTheApiDocument() throws Exception {
        Client anonymous = new Client();
        for (Route route : appliance.apiRoutes()) {
            String path = route.template().replace("{id}", "x").replace("{username}", "x");
            HttpResponse<String> r = anonymous.send(route.method(), path, "GET".equals(route.method()) ? null : "{}");
            if (route.role() == null) {
                assertNotEquals(401, r.statusCode(), route.template());
            } else {
                assertEquals(401, r.statusCode(), route.method() + " " + route.template());
            }
        }
    }

    @Test
    void theOpenApiDocumentCoversEveryEndpoint() throws Exception {
        JsonNode doc = json(new Client().get("/openapi.json"));
        assertEquals("3.0.3", doc.get("openapi").asText());
        for (Route route : appliance.apiRoutes()) {
            assertTrue(doc.at("/paths").has(route.template()), route.template());
            assertTrue(doc.at("/paths").get(route.template()).has(route.method().toLowerCase()),
                    route.method() + " " + route.template());
        }
    }

    @Test
    void unknownEndpointsAndWrongMethodsGetJsonErrors() throws Exception {
        Client admin = admin();
        HttpResponse<String> missing = admin.get("/nothing-here");
        assertEquals(404, missing.statusCode());
        assertEquals("not_found", code(missing));
        HttpResponse<String> wrongMethod = admin.send("PATCH", "/streams", "{}");
        assertEquals(405, wrongMethod.statusCode());
        assertTrue(wrongMethod.headers().firstValue("Allow").orElse("").contains("GET"));
    }
}
