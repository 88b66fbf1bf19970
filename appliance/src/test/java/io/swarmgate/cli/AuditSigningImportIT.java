package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.OpensslCa;
import io.swarmgate.TestAppliance;
import io.swarmgate.audit.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit-signing certificate from an enterprise CA made with openssl (root and issuing CA):
 * requested and installed through a running appliance, refused with a clear reason when it does
 * not fit, and afterwards exports verify with {@code openssl cms -verify} against the enterprise
 * root alone.
 */
@Timeout(180)
class AuditSigningImportIT {

    @TempDir
    Path tmp;

    @Test
    void anEnterpriseIssuedAuditSigningCertificateSignsExportsThatOpensslVerifiesAgainstTheEnterpriseRoot()
            throws Exception {
        Path data = tmp.resolve("data");
        Path out = Files.createDirectories(tmp.resolve("out"));
        OpensslCa corp = new OpensslCa(tmp.resolve("corp"), "Example Corp");
        OpensslCa other = new OpensslCa(tmp.resolve("other"), "Other Corp");
        try (Appliance appliance = TestAppliance.start(data)) {
            Path before = out.resolve("before.csv");
            assertEquals(0, CliRun.run(data, "audit", "export", "--format", "csv", "--out", before.toString(),
                    "--from", "2000-01-01").code());
            assertEquals(0, cms(before, data.resolve("pki/ca.crt")), "before the import the appliance CA signs");

            Path csr = out.resolve("audit.csr");
            CliRun requested = CliRun.run(data, "cert", "csr", "--audit-signing", "--out", csr.toString());
            assertEquals(0, requested.code(), requested.err());
            assertTrue(requested.out().contains("cert import --audit-signing"), requested.out());
            String csrText = OpensslCa.openssl("req", "-in", csr.toString(), "-noout", "-text", "-verify");
            assertTrue(csrText.contains("Swarmgate Audit Signing") && csrText.contains("Digital Signature, Non Repudiation")
                    && csrText.contains("1.3.6.1.5.5.7.3.36"), csrText);

            Path installed = data.resolve("pki/audit-signing.crt");
            byte[] applianceIssued = Files.readAllBytes(installed);

            Path strangerCsr = corp.newKey(out.resolve("stranger.key"), "/CN=stranger");
            refused(data, chain(out, "stranger", corp.signCopyingExtensions(strangerCsr, out.resolve("s.pem")), corp),
                    "does not match this appliance's private key");
            refused(data, chain(out, "expired", corp.signDated(csr, out.resolve("e.pem"), "20200101000000Z",
                    "20210101000000Z"), corp), "expired on");
            refused(data, chain(out, "encipher", corp.sign(csr, out.resolve("k.pem"),
                    "keyUsage=critical,keyEncipherment"), corp), "may not sign documents");
            refused(data, chain(out, "tls", corp.sign(csr, out.resolve("t.pem"), "keyUsage=critical,digitalSignature",
                    "extendedKeyUsage=serverAuth"), corp), "lacks documentSigning");
            Path good = corp.signCopyingExtensions(csr, out.resolve("audit.pem"));
            refused(data, OpensslCa.concat(out.resolve("unlinked.pem"), good, other.intermediateCert, other.rootCert),
                    "the chain is incomplete");
            refused(data, good, "the chain is incomplete");
            assertArrayEquals(applianceIssued, Files.readAllBytes(installed), "a refused chain changes nothing");

            CliRun imported = CliRun.run(data, "cert", "import", "--audit-signing",
                    chain(out, "good", good, corp).toString());
            assertEquals(0, imported.code(), imported.out() + imported.err());
            assertTrue(imported.out().contains("Example Corp Issuing CA"), imported.out());

            Path after = out.resolve("after.jsonl");
            assertEquals(0, CliRun.run(data, "audit", "export", "--format", "jsonl", "--out", after.toString(),
                    "--from", "2000-01-01").code());
            assertEquals(0, cms(after, corp.rootCert), "openssl verifies against the enterprise root alone");
            assertNotEquals(0, cms(after, data.resolve("pki/ca.crt")), "the appliance CA no longer vouches for it");
            assertNotEquals(0, cms(after, other.rootCert));

            CliRun live = CliRun.run(data, "audit", "verify");
            assertEquals(0, live.code(), live.out() + live.err());

            List<String> actions = appliance.audit().log().page(new AuditLog.Filter(null, null, null,
                    "certificate.*", null), null, 20).stream().filter(e -> e.action().contains("audit-signing"))
                    .map(e -> e.action() + " " + e.outcome()).toList();
            // Newest first.
            assertEquals("certificate.audit-signing-imported success", actions.get(0), actions.toString());
            assertEquals(6, actions.stream().filter(a -> a.endsWith("imported failure")).count(), actions.toString());
            assertEquals("certificate.audit-signing-csr-created success", actions.get(actions.size() - 1));
        }
        // Offline, from the data directory alone: checkpoints under both CAs verify.
        CliRun offline = CliRun.run(data, "audit", "verify");
        assertEquals(0, offline.code(), offline.out() + offline.err());
        CliRun export = CliRun.run(data, "audit", "verify", "--export", out.resolve("after.jsonl").toString(),
                "--ca", corp.rootCert.toString());
        assertEquals(0, export.code(), export.out() + export.err());
    }

    private static Path chain(Path out, String name, Path leaf, OpensslCa ca) throws Exception {
        return OpensslCa.concat(out.resolve(name + "-chain.pem"), leaf, ca.intermediateCert, ca.rootCert);
    }

    private static void refused(Path data, Path chain, String reason) {
        CliRun r = CliRun.run(data, "cert", "import", "--audit-signing", chain.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("audit-signing certificate not installed") && r.err().contains(reason),
                "expected '" + reason + "': " + r.err());
    }

    private static int cms(Path file, Path caFile) throws Exception {
        return OpensslCa.exitCode(List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER",
                "-in", file + ".p7s", "-content", file.toString(), "-CAfile", caFile.toString(),
                "-purpose", "any", "-out", "/dev/null"));
    }
}
