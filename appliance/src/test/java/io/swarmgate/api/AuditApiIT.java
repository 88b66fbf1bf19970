package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.AuditVerifier;
import io.swarmgate.console.Role;
import io.swarmgate.pki.CmsSignatures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The audit log through the REST API: what administrators do appears with the right actor and
 * outcome; auditors read and export it (the export verifies with the real openssl and with the
 * shipped script, and fails both after a one-byte change) but can change nothing.
 */
@Timeout(180)
class AuditApiIT extends ApiTestBase {

    private record Seen(String action, String actor, String target, String outcome) {
    }

    private List<Seen> entries(Client c, String query) throws Exception {
        HttpResponse<String> r = c.get("/audit?limit=1000" + query);
        assertEquals(200, r.statusCode(), r.body());
        List<Seen> out = new ArrayList<>();
        for (JsonNode e : json(r).get("entries")) {
            out.add(new Seen(e.get("action").asText(), e.get("actor").asText(), e.get("target").asText(null),
                    e.get("outcome").asText()));
        }
        return out;
    }

    private static void assertRecorded(List<Seen> seen, String action, String actor, String target, String outcome) {
        Seen want = new Seen(action, actor, target, outcome);
        assertTrue(seen.contains(want), "expected " + want + " in\n" + String.join("\n", seen.stream()
                .map(Seen::toString).toList()));
    }

    @Test
    void everyRecordedActionAppearsWithItsActorAndOutcome() throws Exception {
        assertEquals(401, new Client().login("admin", "not the password").statusCode());
        assertEquals(401, new Client().login("nobody", "not the password").statusCode());
        Client admin = admin();
        assertEquals(201, admin.send("POST", "/admins", "{\"username\":\"olga\",\"role\":\"operator\"}").statusCode());
        assertEquals(200, admin.send("PUT", "/admins/olga", "{\"role\":\"auditor\"}").statusCode());
        assertEquals(200, admin.send("PUT", "/admins/olga", "{\"disabled\":true}").statusCode());
        assertEquals(200, admin.send("PUT", "/admins/olga", "{\"disabled\":false}").statusCode());
        assertEquals(200, admin.send("POST", "/admins/olga/reset-password", null).statusCode());
        Client operator = tokenClient(admin, "operator");
        String tokenId = operator.bearer.split("_")[1];
        assertEquals(201, operator.send("POST", "/streams", "{\"id\":\"townhall\"}").statusCode());
        assertEquals(200, operator.send("PUT", "/streams/townhall", "{\"p2p\":\"off\",\"tokenSecret\":\"generate\"}")
                .statusCode());
        assertEquals(201, operator.send("POST", "/sites", "{\"cidr\":\"10.1.0.0/16\",\"site\":\"paris\"}").statusCode());
        assertEquals(200, operator.send("POST", "/sites/import", "cidr,site,label\n10.2.0.0/16,lyon,\n", "text/csv")
                .statusCode());
        assertEquals(204, operator.send("DELETE", "/sites?cidr=10.1.0.0/16", null).statusCode());
        assertEquals(204, operator.send("DELETE", "/streams/townhall", null).statusCode());
        assertEquals(403, operator.send("POST", "/admins", "{\"username\":\"eve\",\"role\":\"admin\"}").statusCode());
        assertEquals(200, admin.get("/certificates/csr").statusCode());
        assertEquals(400, admin.send("POST", "/certificates", "not a chain", "application/x-pem-file").statusCode());
        assertEquals(204, admin.send("DELETE", "/tokens/" + tokenId, null).statusCode());
        assertEquals(401, admin.send("POST", "/session/password",
                "{\"currentPassword\":\"wrong one\",\"newPassword\":\"another good password\"}").statusCode());
        assertEquals(204, admin.send("DELETE", "/session", null).statusCode());

        Client reader = new Client();
        assertEquals(200, reader.login("admin", "correct horse battery").statusCode());
        List<Seen> seen = entries(reader, "");
        String token = "token:" + tokenId;
        assertRecorded(seen, "appliance.started", "system", null, "success");
        assertRecorded(seen, "settings.changed", "system", null, "success");
        assertRecorded(seen, "admin.created", "system", "admin", "success");
        assertRecorded(seen, "auth.sign-in", "admin", "admin", "failure");
        assertRecorded(seen, "auth.sign-in", "unknown", null, "failure");
        assertRecorded(seen, "auth.sign-in", "admin", "admin", "success");
        assertRecorded(seen, "auth.password-changed", "admin", "admin", "success");
        assertRecorded(seen, "auth.password-changed", "admin", "admin", "failure");
        assertRecorded(seen, "admin.created", "admin", "olga", "success");
        assertRecorded(seen, "admin.role-changed", "admin", "olga", "success");
        assertRecorded(seen, "admin.disabled", "admin", "olga", "success");
        assertRecorded(seen, "admin.enabled", "admin", "olga", "success");
        assertRecorded(seen, "admin.password-reset", "admin", "olga", "success");
        assertRecorded(seen, "token.created", "admin", tokenId, "success");
        assertRecorded(seen, "token.first-use", token, tokenId, "success");
        assertRecorded(seen, "stream.created", token, "townhall", "success");
        assertRecorded(seen, "stream.changed", token, "townhall", "success");
        assertRecorded(seen, "stream.removed", token, "townhall", "success");
        assertRecorded(seen, "site.saved", token, "10.1.0.0/16", "success");
        assertRecorded(seen, "site.imported", token, null, "success");
        assertRecorded(seen, "site.removed", token, "10.1.0.0/16", "success");
        assertRecorded(seen, "access.denied", token, "POST /api/v1/admins", "denied");
        assertRecorded(seen, "certificate.csr-created", "admin", null, "success");
        assertRecorded(seen, "certificate.imported", "admin", null, "failure");
        assertRecorded(seen, "token.revoked", "admin", tokenId, "success");
        assertRecorded(seen, "auth.sign-out", "admin", "admin", "success");

        JsonNode changed = json(reader.get("/audit?action=stream.changed")).at("/entries/0/details");
        assertEquals("on", changed.at("/before/p2p").asText());
        assertEquals("off", changed.at("/after/p2p").asText());
        assertEquals("set", changed.at("/after/tokenSecret").asText(), "the secret itself is never recorded");
        assertTrue(changed.at("/tokenSecretChanged").asBoolean());
        JsonNode signIn = json(reader.get("/audit?action=auth.sign-in&outcome=failure")).at("/entries/0");
        assertEquals("127.0.0.1", signIn.get("source").asText());
        assertEquals("unknown account", signIn.at("/details/reason").asText());
        assertFalse(reader.get("/audit").body().contains("nobody"), "names that are no account are not recorded");

        AuditVerifier.Result verified = new AuditVerifier(CmsSignatures.trusted(appliance.pki().caCertificateFile()))
                .database(appliance.audit().log());
        assertTrue(verified.ok(), verified.problem());
    }

    @Test
    void aBackOffAndTheSignInsItRefusesAreRecorded() throws Exception {
        Client admin = admin();
        Client guesser = new Client();
        for (int i = 0; i < 5; i++) {
            assertEquals(401, guesser.login("admin", "guess number " + i).statusCode());
        }
        HttpResponse<String> refused = guesser.login("admin", "guess number 6");
        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "the sixth try falls into the back-off");
        appliance.audit().digest().flush();
        List<Seen> seen = entries(admin, "");
        assertEquals(5, seen.stream().filter(e -> e.equals(new Seen("auth.sign-in", "admin", "admin", "failure")))
                .count(), seen.toString());
        assertRecorded(seen, "auth.backoff", "system", "admin", "success");
        assertRecorded(seen, "auth.sign-in-delayed", "system", null, "denied");
    }

    @Test
    void entriesFilterByActorActionOutcomeAndTimeAndPageBackwards() throws Exception {
        Client admin = admin();
        for (int i = 0; i < 5; i++) {
            admin.send("POST", "/sites", "{\"cidr\":\"10." + i + ".0.0/16\",\"site\":\"s" + i + "\"}");
        }
        List<Seen> sites = entries(admin, "&actor=admin&action=site.*&outcome=success");
        assertEquals(5, sites.size(), sites.toString());
        assertEquals("10.4.0.0/16", sites.get(0).target(), "newest first");
        JsonNode page = json(admin.get("/audit?action=site.saved&limit=2"));
        assertEquals(2, page.get("entries").size());
        long next = page.get("next").asLong();
        JsonNode second = json(admin.get("/audit?action=site.saved&limit=2&before=" + next));
        assertEquals("10.2.0.0/16", second.at("/entries/0/target").asText());
        assertEquals(0, entries(admin, "&to=2000-01-01T00:00:00Z").size());
        assertEquals(0, entries(admin, "&from=" + clock.instant().plusSeconds(60)).size());
        assertEquals("invalid_field", code(admin.get("/audit?from=yesterday")));
        assertEquals("invalid_field", code(admin.get("/audit?outcome=maybe")));
        assertEquals("invalid_field", code(admin.get("/audit/export?format=xml")));
    }

    @Test
    void anAuditorExportsAVerifiableFileButCanChangeNothing() throws Exception {
        Client admin = admin();
        HttpResponse<String> created = admin.send("POST", "/admins", "{\"username\":\"ada\",\"role\":\"auditor\"}");
        String oneTime = json(created).get("oneTimePassword").asText();
        Client auditor = new Client();
        assertEquals(200, auditor.login("ada", oneTime).statusCode());
        assertEquals(200, auditor.send("POST", "/session/password", "{\"currentPassword\":\"" + oneTime
                + "\",\"newPassword\":\"auditors read everything\"}").statusCode());

        List<String> allowed = new ArrayList<>();
        for (Route route : appliance.apiRoutes()) {
            if ("GET".equals(route.method()) || route.role() == null || route.role() == Role.AUDITOR) {
                continue; // reads, sign-in, and the auditor's own session and password
            }
            String path = route.template().replace("{id}", "x").replace("{username}", "ada");
            HttpResponse<String> r = auditor.send(route.method(), path, "DELETE".equals(route.method()) ? null : "{}");
            if (r.statusCode() != 403) {
                allowed.add(route.method() + " " + path + " -> " + r.statusCode());
            }
        }
        assertTrue(allowed.isEmpty(), "an auditor changed something: " + allowed);

        for (String format : List.of("jsonl", "csv")) {
            HttpResponse<byte[]> export = auditor.http.send(HttpRequest.newBuilder(URI.create(appliance.httpsUri()
                    .resolve("/api/v1/audit/export?format=" + format + "&from=2000-01-01T00:00:00Z").toString()))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, export.statusCode(), new String(export.body(), StandardCharsets.UTF_8));
            assertTrue(export.headers().firstValue("Content-Disposition").orElse("").contains("." + format));
            assertTrue(export.headers().firstValue(AuditResource.EXPORT_HEADER).isPresent());
            byte[] signature = java.util.Base64.getDecoder().decode(
                    export.headers().firstValue(AuditResource.SIGNATURE_HEADER).orElseThrow());
            Path file = tmp.resolve("audit." + format);
            Files.write(file, export.body());
            Files.write(tmp.resolve("audit." + format + ".p7s"), signature);

            assertEquals(0, openssl(file), "openssl cms -verify accepts the " + format + " export");
            assertEquals(0, script(file), "docs/audit-verify.py accepts the " + format + " export");
            byte[] bytes = export.body();
            int at = new String(bytes, StandardCharsets.UTF_8).indexOf("auth.sign-in");
            bytes[at] = (byte) 'A';
            Files.write(file, bytes);
            assertNotEquals(0, openssl(file), "openssl refuses the changed " + format + " export");
            assertEquals(1, script(file), "docs/audit-verify.py refuses the changed " + format + " export");
            assertFalse(new AuditVerifier(CmsSignatures.trusted(appliance.pki().caCertificateFile())).export(file).ok());
        }
        for (String format : List.of("json", "csv")) {
            HttpResponse<byte[]> report = auditor.http.send(HttpRequest.newBuilder(URI.create(appliance.httpsUri()
                    .resolve("/api/v1/audit/report?format=" + format).toString())).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, report.statusCode(), new String(report.body(), StandardCharsets.UTF_8));
            Path file = tmp.resolve("compliance." + format);
            Files.write(file, report.body());
            Files.write(tmp.resolve("compliance." + format + ".p7s"), java.util.Base64.getDecoder().decode(
                    report.headers().firstValue(AuditResource.SIGNATURE_HEADER).orElseThrow()));
            assertEquals(0, openssl(file), "openssl cms -verify accepts the " + format + " report");
        }
        assertEquals("overall", json(auditor.get("/audit/report")).at("/rows/0/scope").asText());
        assertEquals("invalid_field", code(auditor.get("/audit/report?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z")));
        assertEquals(3, entries(admin, "&action=report.created").size());

        List<Seen> exports = entries(admin, "&action=audit.exported");
        assertEquals(2, exports.size());
        assertEquals("ada", exports.get(0).actor());
        assertEquals(0, entries(admin, "&actor=ada&action=stream.*").size());
        assertEquals(0, json(admin.get("/streams")).size(), "the auditor's attempts changed nothing");
    }

    private int openssl(Path file) throws Exception {
        return run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", file + ".p7s", "-content",
                file.toString(), "-CAfile", appliance.pki().caCertificateFile().toString(), "-purpose", "any",
                "-out", "/dev/null");
    }

    private int script(Path file) throws Exception {
        return run("python3", Path.of("../docs/audit-verify.py").toString(), file.toString(), "--ca",
                appliance.pki().caCertificateFile().toString());
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        System.out.println(String.join(" ", command) + " -> " + p.exitValue() + "\n" + output);
        return p.exitValue();
    }
}
