package io.swarmgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.api.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadinessIT {

    @TempDir
    Path tmp;

    @Test
    void readyzReportsAMissingDatabaseWhileHealthzStaysUp() throws Exception {
        try (Appliance appliance = TestAppliance.start(tmp)) {
            HttpClient client = HttpClient.newHttpClient();
            Files.delete(appliance.dataDir().databaseFile());

            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(appliance.httpUri().resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode());
            JsonNode body = Json.MAPPER.readTree(ready.body());
            assertEquals("not_ready", body.get("status").asText());
            assertEquals("missing", body.at("/checks/database/status").asText());
            // Anonymous callers learn the status word only: no path, no driver message.
            assertFalse(body.at("/checks/database").has("detail"), ready.body());
            assertFalse(ready.body().contains(tmp.toString()), ready.body());
            assertFalse(ready.body().contains("swarmgate"), ready.body());

            HttpResponse<String> health = client.send(HttpRequest.newBuilder(appliance.httpUri().resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
    }
}
