package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit-signing certificate from an enterprise CA: what signatures carry, and what happens when it expires. */
class PkiAuditSigningTest {

    private static final KeyPurposeId DOCUMENT_SIGNING =
            KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.36"));

    @TempDir
    Path dir;

    @Test
    void anImportedCertificateSignsWithItsIntermediateAndAnExpiredOneFallsBackToTheApplianceCa() throws Exception {
        SettableClock clock = SettableClock.at(Instant.now());
        Pki pki = Pki.at(dir, clock);
        pki.initialize(List.of("appliance.test"));
        EnterpriseCa corp = new EnterpriseCa();
        X509Certificate leaf = corp.sign(pki.auditSigningCsrPem(), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(10)), DOCUMENT_SIGNING);
        Path chain = EnterpriseCa.writePem(dir.resolve("chain.pem"), List.of(leaf, corp.intermediate, corp.root));

        pki.importAuditSigningChain(chain);
        AuditSigning signing = pki.auditSigning();
        assertEquals(leaf, signing.certificate());
        assertEquals(List.of(leaf, corp.intermediate), signing.carriedChain(), "the root stays with the auditor");
        byte[] content = "checkpoint".getBytes(StandardCharsets.US_ASCII);
        assertEquals(leaf, new CmsSignatures(List.of(corp.root)).verify(signing.sign(content), content),
                "verifies against the enterprise root through the carried intermediate");
        assertThrows(PkiException.class, () -> new CmsSignatures(CmsSignatures.trusted(pki.caCertificateFile()))
                .verify(signing.sign(content), content));
        assertEquals(2, pki.auditTrustFiles().size());
        assertTrue(Files.readString(pki.auditTrustFiles().get(1)).contains("BEGIN CERTIFICATE"));

        clock.advance(Duration.ofDays(11));
        AuditSigning renewed = pki.auditSigning();
        assertNotEquals(leaf, renewed.certificate());
        assertEquals(PemFiles.readCertificates(pki.caCertificateFile()).get(0).getSubjectX500Principal(),
                renewed.certificate().getIssuerX500Principal(), "the appliance CA issues the next one");
        assertNotEquals(leaf.getPublicKey(), renewed.certificate().getPublicKey(), "with a new key");
        assertEquals(2, pki.auditTrustFiles().size(), "the enterprise root stays trusted for older checkpoints");
    }
}
