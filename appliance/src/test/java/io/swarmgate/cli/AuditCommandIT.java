package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmgate audit export|verify} against a running appliance and on its stopped data directory. */
@Timeout(120)
class AuditCommandIT {

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void exportAndVerifyWorkWhileTheApplianceRunsAndVerifyFindsTamperingAfterwards() throws Exception {
        Path data = tmp.resolve("data");
        Path csv = tmp.resolve("out/audit.csv");
        Files.createDirectories(csv.getParent());
        String user = "cli:" + System.getProperty("user.name");
        try (Appliance appliance = TestAppliance.start(data)) {
            assertEquals(0, run("site", "add", "10.9.0.0/16", "oslo", "--data-dir", data.toString()).code());
            CliRun export = run("audit", "export", "--format", "csv", "--out", csv.toString(), "--from", "2000-01-01",
                    "--data-dir", data.toString());
            assertEquals(0, export.code(), export.err());
            assertTrue(export.out().contains("Exported"), export.out());
            String text = Files.readString(csv);
            assertTrue(text.contains("entry,") && text.contains("site.saved,10.9.0.0/16,success"), text);
            assertTrue(text.contains("," + user + ",,site.saved,"), "the peer's OS user is the actor: " + text);
            assertEquals(0, openssl(csv, data), "openssl accepts the export made through the running appliance");
            assertEquals(List.of(), Files.list(new DataDirectory(data).exportDir()).toList(),
                    "nothing is left in the appliance's export directory");

            Path csr = tmp.resolve("out/req.csr");
            assertEquals(0, run("cert", "csr", "--out", csr.toString(), "--data-dir", data.toString()).code());
            assertTrue(Files.readString(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----"));
            Path garbage = tmp.resolve("out/garbage.pem");
            Files.writeString(garbage, "not a chain\n");
            assertEquals(2, run("cert", "import", garbage.toString(), "--data-dir", data.toString()).code());
            List<String> certificateActions = appliance.audit().log().page(new io.swarmgate.audit.AuditLog.Filter(
                    null, null, user, "certificate.*", null), null, 10).stream()
                    .map(e -> e.action() + " " + e.outcome()).toList();
            assertEquals(List.of("certificate.imported failure", "certificate.csr-created success"), certificateActions);

            Path report = tmp.resolve("out/compliance.csv");
            CliRun made = run("audit", "report", "--format", "csv", "--out", report.toString(), "--from",
                    java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(7).toString(),
                    "--data-dir", data.toString());
            assertEquals(0, made.code(), made.err());
            assertTrue(Files.readString(report).startsWith("scope,stream,site,"), Files.readString(report));
            assertEquals(0, openssl(report, data), "openssl accepts the report");

            CliRun verify = run("audit", "verify", "--data-dir", data.toString());
            assertEquals(0, verify.code(), verify.out() + verify.err());
            assertTrue(verify.out().contains("OK"), verify.out());
            assertEquals(2, run("audit", "export", "--format", "xml", "--out", csv.toString(), "--data-dir",
                    data.toString()).code());
        }
        CliRun offline = run("audit", "verify", "--data-dir", data.toString());
        assertEquals(0, offline.code(), offline.out() + offline.err());
        assertTrue(offline.out().contains("signed checkpoint"), offline.out());
        CliRun exportFile = run("audit", "verify", "--export", csv.toString(), "--data-dir", data.toString());
        assertEquals(0, exportFile.code(), exportFile.out() + exportFile.err());
        CliRun held = run("audit", "verify", "--data-dir", data.toString(), "--checkpoint", csv.toString());
        assertEquals(0, held.code(), held.out() + held.err());

        try (Database db = Database.open(new DataDirectory(data), 2, false);
             Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_entry SET target = '10.99.0.0/16' WHERE action = 'site.saved'");
        }
        CliRun tampered = run("audit", "verify", "--data-dir", data.toString());
        assertEquals(1, tampered.code(), tampered.out());
        assertTrue(tampered.out().contains("FAILED at entry"), tampered.out());
        assertTrue(tampered.err().contains("first bad entry"), tampered.err());

        byte[] bytes = Files.readAllBytes(csv);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("oslo");
        bytes[at] = 'O';
        Files.write(csv, bytes);
        CliRun changedExport = run("audit", "verify", "--export", csv.toString(), "--data-dir", data.toString());
        assertEquals(1, changedExport.code(), changedExport.out());
    }

    private static int openssl(Path file, Path data) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER",
                "-in", file + ".p7s", "-content", file.toString(), "-CAfile", data.resolve("pki/ca.crt").toString(),
                "-purpose", "any", "-out", "/dev/null"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }
}
