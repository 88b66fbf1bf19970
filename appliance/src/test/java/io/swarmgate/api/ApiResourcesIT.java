package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streams, sites (CSV), certificates and settings through the API, including bad bodies. */
@Timeout(120)
class ApiResourcesIT extends ApiTestBase {

    @Test
    void streamPoliciesAreCreatedChangedAndValidatedFieldByField() throws Exception {
        Client c = admin();
        HttpResponse<String> created = c.send("POST", "/streams", "{\"id\":\"townhall\",\"urlPattern\":"
                + "\"https://video.corp.example/live/townhall/*\",\"p2p\":\"download-only\",\"siteModes\":{\"lyon\":\"off\"},"
                + "\"allowedOrigins\":[\"https://intranet.corp.example\"],\"security\":\"intermediate\","
                + "\"siteGroups\":[[\"paris\",\"annex\"]],\"tokenSecret\":\"generate\"}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode p = json(created);
        assertEquals("download-only", p.get("p2p").asText());
        assertTrue(p.get("tokenRequired").asBoolean());
        assertTrue(p.get("tokenSecret").asText().length() >= 43, "secret shown once");
        assertFalse(c.get("/streams/townhall").body().contains("tokenSecret"), "and never again");

        HttpResponse<String> changed = c.send("PUT", "/streams/townhall", "{\"p2p\":\"on\",\"maxNeighbours\":8}");
        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals(8, json(changed).get("maxNeighbours").asInt());
        assertEquals("lyon", json(changed).get("siteModes").fieldNames().next(), "other fields kept");

        HttpResponse<String> open = c.send("PUT", "/streams/townhall", "{\"allowAnyOrigin\":true,\"allowedOrigins\":[],"
                + "\"tokenMaxLifetimeSeconds\":14400,\"maxViewersPerToken\":3}");
        assertEquals(200, open.statusCode(), open.body());
        assertTrue(json(open).get("allowAnyOrigin").asBoolean());
        assertEquals(14400, json(open).get("tokenMaxLifetimeSeconds").asInt());
        assertEquals(3, json(open).get("maxViewersPerToken").asInt());
        HttpResponse<String> sentBack = c.send("PUT", "/streams/townhall", "{\"allowedOrigins\":[]}");
        assertTrue(json(sentBack).get("allowAnyOrigin").asBoolean(), "an open policy sent back unchanged stays open");
        HttpResponse<String> closed = c.send("PUT", "/streams/townhall", "{\"allowAnyOrigin\":false}");
        assertFalse(json(closed).get("allowAnyOrigin").asBoolean());
        assertEquals(0, json(closed).get("allowedOrigins").size(), "back to the default origins");
        assertTrue(json(closed).get("viewerParams").toString().contains("\"token\""), "the default per-viewer parameters");
        HttpResponse<String> params = c.send("PUT", "/streams/townhall", "{\"viewerParams\":[\"Ticket\",\"sig\"]}");
        assertEquals(200, params.statusCode(), params.body());
        assertEquals("[\"ticket\",\"sig\"]", json(params).get("viewerParams").toString());
        assertEquals("[\"ticket\",\"sig\"]", json(c.get("/streams/townhall")).get("viewerParams").toString(), "stored");

        for (String[] bad : new String[][] {
            {"{\"allowedOrigins\":[\"*\"]}", "allowedOrigins"},
            {"{\"tokenMaxLifetimeSeconds\":10}", "tokenMaxLifetimeSeconds"},
            {"{\"p2p\":\"sometimes\"}", "p2p"},
            {"{\"maxNeighbours\":0}", "maxNeighbours"},
            {"{\"maxNeighbours\":\"six\"}", "maxNeighbours"},
            {"{\"allowedOrigins\":[\"https://intranet/page\"]}", "allowedOrigins"},
            {"{\"security\":\"paranoid\"}", "security"},
            {"{\"siteGroups\":[[\"solo\"]]}", "siteGroups"},
            {"{\"siteGroups\":[[\"solo\",\"solo\"]]}", "site-groups"},
            {"{\"viewerParams\":[\"to ken\"]}", "viewerParams"},
        }) {
            HttpResponse<String> r = c.send("PUT", "/streams/townhall", bad[0]);
            assertEquals(400, r.statusCode(), bad[0]);
            assertEquals(bad[1], json(r).at("/error/field").asText(), bad[0] + " -> " + r.body());
        }
        // The console shows this message under its field: it says what a name may contain.
        assertEquals("viewerParams[1] has the wrong form: 1-64 letters, digits, '.', '_', '~', '-'",
                json(c.send("PUT", "/streams/townhall", "{\"viewerParams\":[\"sig\",\"to ken\"]}"))
                        .at("/error/message").asText());
        HttpResponse<String> notJson = c.send("POST", "/streams", "{id:", "application/json");
        assertEquals("invalid_json", code(notJson));
        HttpResponse<String> duplicate = c.send("POST", "/streams", "{\"id\":\"townhall\"}");
        assertEquals(400, duplicate.statusCode());
        assertEquals("id", json(duplicate).at("/error/field").asText());
        assertEquals(404, c.send("PUT", "/streams/nope", "{}").statusCode());
        assertEquals(204, c.send("DELETE", "/streams/townhall", null).statusCode());
    }

    @Test
    void theDefaultPolicyIsReadableWhereANewPolicyStartsButNotChangeable() throws Exception {
        Client c = admin();
        JsonNode d = json(c.get("/streams/default"));
        assertEquals("default", d.get("id").asText());
        assertEquals(4, d.get("maxUploads").asInt(), "mesh.max-uploads");
        assertEquals(20_000, d.get("maxUploadKbps").asInt(), "mesh.max-upload-kbps");
        assertTrue(d.get("viewerParams").toString().contains("\"token\""), d.toString());
        JsonNode created = json(c.send("POST", "/streams", "{\"id\":\"townhall\"}"));
        for (String field : List.of("p2p", "maxNeighbours", "uploadOnCellular", "uploadOnWifi", "maxUploads",
                "maxUploadKbps", "viewerParams", "security", "tokenRequired")) {
            assertEquals(d.get(field), created.get(field), "a new policy starts from the default's " + field);
        }
        assertEquals(404, c.send("PUT", "/streams/default", "{\"maxUploads\":2}").statusCode());
        assertEquals(404, c.send("DELETE", "/streams/default", null).statusCode());
        assertEquals(4, json(c.get("/streams/default")).get("maxUploads").asInt(), "unchanged");
    }

    @Test
    void uploadRulesDefaultToTodaysBehaviourAreValidatedAndAudited() throws Exception {
        Client c = admin();
        JsonNode created = json(c.send("POST", "/streams", "{\"id\":\"townhall\"}"));
        assertFalse(created.get("uploadOnCellular").asBoolean());
        assertTrue(created.get("uploadOnWifi").asBoolean());
        assertEquals(4, created.get("maxUploads").asInt());
        assertEquals(20_000, created.get("maxUploadKbps").asInt());

        HttpResponse<String> changed = c.send("PUT", "/streams/townhall", "{\"uploadOnCellular\":true,"
                + "\"uploadOnWifi\":false,\"maxUploads\":2,\"maxUploadKbps\":5000}");
        assertEquals(200, changed.statusCode(), changed.body());
        JsonNode p = json(c.get("/streams/townhall"));
        assertTrue(p.get("uploadOnCellular").asBoolean());
        assertFalse(p.get("uploadOnWifi").asBoolean());
        assertEquals(2, p.get("maxUploads").asInt());
        assertEquals(5_000, p.get("maxUploadKbps").asInt());

        for (String[] bad : new String[][] {
            {"{\"maxUploads\":0}", "maxUploads"},
            {"{\"maxUploads\":65}", "maxUploads"},
            {"{\"maxUploads\":2.5}", "maxUploads"},
            {"{\"maxUploadKbps\":99}", "maxUploadKbps"},
            {"{\"maxUploadKbps\":10000001}", "maxUploadKbps"},
            {"{\"uploadOnWifi\":\"yes\"}", "uploadOnWifi"},
        }) {
            HttpResponse<String> r = c.send("PUT", "/streams/townhall", bad[0]);
            assertEquals(400, r.statusCode(), bad[0]);
            assertEquals(bad[1], json(r).at("/error/field").asText(), bad[0] + " -> " + r.body());
        }
        assertEquals(2, json(c.get("/streams/townhall")).get("maxUploads").asInt(), "refused changes changed nothing");

        JsonNode audited = json(c.get("/audit?action=stream.changed")).at("/entries/0/details");
        assertEquals(4, audited.at("/before/maxUploads").asInt());
        assertEquals(2, audited.at("/after/maxUploads").asInt());
        assertEquals(20_000, audited.at("/before/maxUploadKbps").asInt());
        assertEquals(5_000, audited.at("/after/maxUploadKbps").asInt());
        assertTrue(audited.at("/before/uploadOnWifi").asBoolean());
        assertFalse(audited.at("/after/uploadOnWifi").asBoolean());
        assertTrue(audited.at("/after/uploadOnCellular").asBoolean());
    }

    @Test
    void siteCsvWithBadRowsIsReportedByLineAndNothingIsImported() throws Exception {
        Client c = admin();
        String bad = "cidr,site,label\n10.1.0.0/16,lyon,Lyon\n10.2.0.0/33,nantes,\nnot-a-cidr,x,\n";
        HttpResponse<String> r = c.send("POST", "/sites/import", bad, "text/csv");
        assertEquals(400, r.statusCode());
        assertEquals("invalid_csv", code(r));
        JsonNode problems = json(r).at("/error/problems");
        assertEquals(2, problems.size());
        assertTrue(problems.get(0).asText().startsWith("line 3:"));
        assertTrue(problems.get(1).asText().startsWith("line 4:"));
        assertEquals(0, json(c.get("/sites")).size(), "nothing half-imported");
    }

    @Test
    void siteImportCanBePreviewedThenApplied() throws Exception {
        Client c = admin();
        assertEquals(201, c.send("POST", "/sites", "{\"cidr\":\"10.1.0.0/16\",\"site\":\"lyon\",\"label\":\"Lyon\"}").statusCode());
        String csv = "10.1.0.0/16,lyon-centre,Lyon\n10.2.0.0/16,nantes,Nantes\n";
        JsonNode preview = json(c.send("POST", "/sites/import?dryRun=true", csv, "text/csv"));
        assertFalse(preview.get("applied").asBoolean());
        assertEquals(1, preview.get("added").size());
        assertEquals("lyon", preview.at("/changed/0/from/site").asText());
        assertEquals("lyon-centre", preview.at("/changed/0/to/site").asText());
        assertEquals(1, json(c.get("/sites")).size(), "a preview changes nothing");

        assertTrue(json(c.send("POST", "/sites/import", csv, "text/csv")).get("applied").asBoolean());
        HttpResponse<String> export = c.get("/sites/export");
        assertTrue(export.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertTrue(export.body().contains("10.2.0.0/16,nantes,Nantes"), export.body());
        assertEquals(204, c.send("DELETE", "/sites?cidr=10.2.0.0/16", null).statusCode());
        assertEquals(400, c.send("POST", "/sites", "{\"cidr\":\"10.1.0.1/16\",\"site\":\"x\"}").statusCode());
    }

    @Test
    void certificatesAreShownAndABadChainIsRejectedWithoutReplacingTheCurrentOne() throws Exception {
        Client c = admin();
        JsonNode certs = json(c.get("/certificates"));
        assertTrue(certs.at("/server/sha256Fingerprint").asText().contains(":"));
        assertFalse(certs.get("expiryWarning").asBoolean());
        HttpResponse<String> csr = c.get("/certificates/csr");
        assertTrue(csr.body().startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
        HttpResponse<String> bad = c.send("POST", "/certificates", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "application/x-pem-file");
        assertEquals(400, bad.statusCode());
        assertEquals("certificate_rejected", code(bad));
        assertEquals(certs.at("/server/sha256Fingerprint"), json(c.get("/certificates")).at("/server/sha256Fingerprint"));
    }

    @Test
    void theClusterOfASingleApplianceIsItselfWithAgesOnItsOwnClock() throws Exception {
        Client auditor = tokenClient(admin(), "auditor");
        clock.advance(Duration.ofSeconds(5));
        JsonNode cluster = json(auditor.get("/cluster"));
        assertEquals(clock.millis(), cluster.get("nowMs").asLong(), "the answer's time is the appliance's clock");
        assertEquals(0, cluster.get("viewers").asInt());
        assertEquals(1, cluster.get("appliances").size(), cluster.toString());
        JsonNode self = cluster.at("/appliances/0");
        assertTrue(self.get("self").asBoolean());
        assertFalse(self.get("draining").asBoolean());
        assertEquals(appliance.httpsUri().toString(), self.get("url").asText());
        assertEquals(cluster.get("nowMs").asLong(), self.get("updatedAtMs").asLong(), "alone, its figures are current");
        assertEquals(0, self.get("streams").size());
    }

    @Test
    void settingsAndHealthAreReadable() throws Exception {
        Client c = admin();
        JsonNode health = json(c.get("/health"));
        assertTrue(health.get("ready").asBoolean());
        JsonNode settings = json(c.get("/settings"));
        assertEquals(6, settings.at("/mesh/targetDegree").asInt());
    }
}
