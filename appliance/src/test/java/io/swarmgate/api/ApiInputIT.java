package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Input that used to get a 500 or to be misread: each refused with a 4xx that names the problem. */
@Timeout(120)
class ApiInputIT extends ApiTestBase {

    @Test
    void theLastEnabledAdministratorCanBeNeitherDisabledNorDemoted() throws Exception {
        Client admin = admin();
        Client ownToken = tokenClient(admin, "admin");
        for (Client c : List.of(admin, ownToken)) {
            for (String change : List.of("{\"disabled\":true}", "{\"role\":\"operator\"}", "{\"role\":\"auditor\"}")) {
                HttpResponse<String> r = c.send("PUT", "/admins/admin", change);
                assertEquals(409, r.statusCode(), change + " -> " + r.body());
                assertEquals("last_admin", code(r));
            }
        }
        assertFalse(json(admin.get("/admins")).get(0).get("disabled").asBoolean());

        // With a second admin, either one may be demoted or disabled while the other remains; the
        // one that remains then cannot go, and nobody may disable themselves, even by token.
        assertEquals(201, admin.send("POST", "/admins", "{\"username\":\"bob\",\"role\":\"admin\"}").statusCode());
        HttpResponse<String> demoted = admin.send("PUT", "/admins/bob", "{\"role\":\"operator\"}");
        assertEquals(200, demoted.statusCode(), demoted.body());
        assertEquals(409, ownToken.send("PUT", "/admins/admin", "{\"disabled\":true}").statusCode());
        assertEquals(200, admin.send("PUT", "/admins/bob", "{\"role\":\"admin\"}").statusCode());
        HttpResponse<String> self = ownToken.send("PUT", "/admins/admin", "{\"disabled\":true}");
        assertEquals(400, self.statusCode(), "a token cannot disable its own owner: " + self.body());
        assertEquals("disabled", json(self).at("/error/field").asText());
        assertEquals(200, admin.send("PUT", "/admins/bob", "{\"disabled\":true}").statusCode());
        assertEquals("last_admin", code(ownToken.send("PUT", "/admins/admin", "{\"role\":\"operator\"}")));
        assertEquals(200, admin.send("PUT", "/admins/bob", "{\"disabled\":false}").statusCode(),
                "enabling is always allowed");
    }

    @Test
    void twoAdminsDisablingEachOtherAtOnceLeaveOneEnabled() throws Exception {
        Client admin = admin();
        Client adminToken = tokenClient(admin, "admin");
        Client carolToken = tokenClient(signedIn(admin, "carol"), "admin");
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<HttpResponse<String>>> calls = List.of(
                    () -> {
                        start.await();
                        return adminToken.send("PUT", "/admins/carol", "{\"disabled\":true}");
                    },
                    () -> {
                        start.await();
                        return carolToken.send("PUT", "/admins/admin", "{\"disabled\":true}");
                    });
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : pool.invokeAll(calls)) {
                statuses.add(answer.get().statusCode());
            }
            // The loser is refused as the last admin, or finds its token already stopped with its owner.
            assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            assertEquals(1, statuses.stream().filter(s -> s == 409 || s == 401).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, countEnabledAdmins());
    }

    /** A new administrator {@code name} with the admin role, signed in with a password of their own. */
    private Client signedIn(Client admin, String name) throws Exception {
        HttpResponse<String> created = admin.send("POST", "/admins", "{\"username\":\"" + name + "\",\"role\":\"admin\"}");
        assertEquals(201, created.statusCode(), created.body());
        String oneTime = json(created).get("oneTimePassword").asText();
        Client c = new Client();
        assertEquals(200, c.login(name, oneTime).statusCode());
        assertEquals(200, c.send("POST", "/session/password", "{\"currentPassword\":\"" + oneTime
                + "\",\"newPassword\":\"another horse battery\"}").statusCode());
        return c;
    }

    private long countEnabledAdmins() throws Exception {
        try (var connection = appliance.database().dataSource().getConnection();
             var rs = connection.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM admin_account WHERE role = 'admin' AND NOT disabled")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void dryRunIsExactlyTrueOrFalseAndAnythingElseImportsNothing() throws Exception {
        Client c = admin();
        String csv = "10.1.0.0/16,lyon,Lyon\n";
        for (String value : List.of("1", "yes", "TRUE", "null", "", "true%20")) {
            HttpResponse<String> r = c.send("POST", "/sites/import?dryRun=" + value, csv, "text/csv");
            assertEquals(400, r.statusCode(), value + " -> " + r.body());
            assertEquals("dryRun", json(r).at("/error/field").asText());
        }
        HttpResponse<String> misspelt = c.send("POST", "/sites/import?dryrun=true", csv, "text/csv");
        assertEquals("unknown_parameter", code(misspelt));
        HttpResponse<String> twice = c.send("POST", "/sites/import?dryRun=true&dryRun=false", csv, "text/csv");
        assertEquals(400, twice.statusCode());
        assertEquals(0, json(c.get("/sites")).size(), "none of these imported anything");

        assertFalse(json(c.send("POST", "/sites/import?dryRun=true", csv, "text/csv")).get("applied").asBoolean());
        assertEquals(0, json(c.get("/sites")).size());
        assertTrue(json(c.send("POST", "/sites/import?dryRun=false", csv, "text/csv")).get("applied").asBoolean());
        assertEquals(1, json(c.get("/sites")).size());
    }

    @Test
    void anEmptyOrReservedSiteNameIsRefusedInJsonAndCsv() throws Exception {
        Client c = admin();
        for (String site : List.of("", "auto:10.1.0.0/24")) {
            HttpResponse<String> r = c.send("POST", "/sites", "{\"cidr\":\"10.1.0.0/16\",\"site\":\"" + site + "\"}");
            assertEquals(400, r.statusCode(), site + " -> " + r.body());
            assertEquals("site", json(r).at("/error/field").asText());
        }
        for (String line : List.of("10.1.0.0/16,,Lyon", "10.1.0.0/16,auto:x,", "10.1.0.0/16, ,Lyon")) {
            HttpResponse<String> r = c.send("POST", "/sites/import", "cidr,site,label\n" + line + "\n", "text/csv");
            assertEquals(400, r.statusCode(), line + " -> " + r.body());
            assertEquals("invalid_csv", code(r));
            assertTrue(json(r).at("/error/problems/0").asText().startsWith("line 2: site:"), r.body());
        }
        assertEquals(0, json(c.get("/sites")).size());
    }

    @Test
    void theSameBlockSpeltAnotherWayIsRefusedInsteadOfBreakingTheSiteMap() throws Exception {
        Client c = admin();
        assertEquals(201, c.send("POST", "/sites", "{\"cidr\":\"2001:db8::/32\",\"site\":\"paris\"}").statusCode());
        HttpResponse<String> upper = c.send("POST", "/sites", "{\"cidr\":\"2001:DB8::/32\",\"site\":\"lyon\"}");
        assertEquals(400, upper.statusCode(), upper.body());
        assertEquals("cidr", json(upper).at("/error/field").asText());
        HttpResponse<String> imported = c.send("POST", "/sites/import?dryRun=true", "2001:0db8::/32,lyon,\n", "text/csv");
        assertEquals(400, imported.statusCode(), "the preview refuses what the import would: " + imported.body());
        assertEquals(201, c.send("POST", "/sites", "{\"cidr\":\"10.1.0.0/16\",\"site\":\"lyon\"}").statusCode(),
                "the map still takes changes");
        assertEquals(2, json(c.get("/sites")).size());
    }

    @Test
    void aCertificateChainThatIsNotAsciiIsRefusedAndTheCurrentOneStays() throws Exception {
        Client c = admin();
        JsonNode before = json(c.get("/certificates")).at("/server/sha256Fingerprint");
        HttpResponse<String> accented = c.send("POST", "/certificates",
                "-----BEGIN CERTIFICATE-----\nMIIé\n-----END CERTIFICATE-----\n", "application/x-pem-file");
        assertEquals(400, accented.statusCode(), accented.body());
        assertEquals("chain", json(accented).at("/error/field").asText());
        HttpResponse<String> latin1 = sendBytes(c, "/certificates", "application/x-pem-file",
                "-----BEGIN CERTIFICATE-----\nMII\u00e9\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(400, latin1.statusCode(), latin1.body());
        assertEquals("invalid_encoding", code(latin1));
        assertEquals(before, json(c.get("/certificates")).at("/server/sha256Fingerprint"));
    }

    @Test
    void nullIsRefusedForLabelsUrlPatternsAndOtherFieldsNamingTheField() throws Exception {
        Client c = admin();
        String[][] cases = {
            {"POST", "/sites", "{\"cidr\":\"10.1.0.0/16\",\"site\":\"lyon\",\"label\":null}", "label"},
            {"POST", "/streams", "{\"id\":\"townhall\",\"urlPattern\":null}", "urlPattern"},
            {"POST", "/streams", "{\"id\":\"townhall\",\"siteModes\":{\"lyon\":null}}", "siteModes"},
            {"POST", "/streams", "{\"id\":\"townhall\",\"siteGroups\":[[\"lyon\",null]]}", "siteGroups"},
            {"POST", "/streams", "{\"id\":\"townhall\",\"allowedOrigins\":null}", "allowedOrigins"},
            {"POST", "/tokens", "{\"name\":\"x\",\"role\":\"auditor\",\"expiresInDays\":null}", "expiresInDays"},
            {"POST", "/admins", "{\"username\":null,\"role\":\"auditor\"}", "username"},
        };
        for (String[] bad : cases) {
            HttpResponse<String> r = c.send(bad[0], bad[1], bad[2]);
            assertEquals(400, r.statusCode(), bad[2] + " -> " + r.body());
            assertEquals("invalid_field", code(r), r.body());
            assertEquals(bad[3], json(r).at("/error/field").asText(), r.body());
        }
        assertEquals(0, json(c.get("/sites")).size());
        assertEquals(0, json(c.get("/streams")).size());

        HttpResponse<String> created = c.send("POST", "/streams",
                "{\"id\":\"townhall\",\"urlPattern\":\"https://video.corp.example/live/*\"}");
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<String> cleared = c.send("PUT", "/streams/townhall", "{\"urlPattern\":\"\"}");
        assertTrue(json(cleared).get("urlPattern").isNull(), "\"\" clears the pattern: " + cleared.body());
        HttpResponse<String> putNull = c.send("PUT", "/streams/townhall", "{\"urlPattern\":null}");
        assertEquals("urlPattern", json(putNull).at("/error/field").asText());
    }

    @Test
    void bodiesMustBeOneWellFormedObjectAndListsMustFitWhereTheyAreStored() throws Exception {
        Client c = admin();
        for (String body : List.of("{\"id\":\"a\",\"id\":\"b\"}", "{\"id\":\"a\"} trailing", "{\"id\":\"a\"}{}")) {
            HttpResponse<String> r = c.send("POST", "/streams", body);
            assertEquals(400, r.statusCode(), body);
            assertEquals("invalid_json", code(r), body + " -> " + r.body());
        }
        StringBuilder origins = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            origins.append(i == 0 ? "" : ",").append("\"https://intranet-").append(i).append(".corp.example\"");
        }
        HttpResponse<String> many = c.send("POST", "/streams", "{\"id\":\"wide\",\"allowedOrigins\":" + origins + "]}");
        assertEquals(400, many.statusCode(), many.body());
        assertEquals("allowed-origins", json(many).at("/error/field").asText());
        HttpResponse<String> unknown = c.get("/streams?limit=10");
        assertEquals(400, unknown.statusCode());
        assertEquals("unknown_parameter", code(unknown));
        assertEquals("limit", json(unknown).at("/error/field").asText());
        HttpResponse<String> huge = c.send("POST", "/streams", "{\"id\":\"big\",\"maxNeighbours\":1e400}");
        assertEquals(400, huge.statusCode(), huge.body());
    }

    @Test
    void aRequestLineTheServerCannotParseGetsAJsonErrorThatSaysTheConnectionCloses() throws Exception {
        String answer = raw("GET /api/v1/streams/%zz HTTP/1.1\r\nHost: 127.0.0.1");
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("\"code\":\"bad_request\""), answer);
        // Without the header a client reuses the connection the server has closed, and its next
        // request gets no answer at all.
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), answer);
    }

    private HttpResponse<String> sendBytes(Client c, String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(appliance.httpsUri().resolve("/api/v1" + path).toString()))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", type).header("X-CSRF-Token", c.csrf);
        return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
