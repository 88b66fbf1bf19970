package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance CA may only certify the appliance's own names and addresses. */
class PkiNameConstraintsTest {

    private static final String NAME_CONSTRAINTS = "2.5.29.30";

    @TempDir
    Path dir;
    X509Certificate ca;
    PrivateKey caKey;
    X509Certificate server;

    @BeforeEach
    void initialize() {
        Pki.at(dir).initialize(List.of("swarmgate.corp.example", "10.20.30.40", "fd00::5"));
        ca = PemFiles.readCertificates(dir.resolve("ca.crt")).get(0);
        caKey = PemFiles.readPrivateKey(dir.resolve("ca.key"));
        server = PemFiles.readCertificates(dir.resolve("server.crt")).get(0);
    }

    @Test
    void theCaCarriesCriticalNameConstraintsForTheServerCertificatesNamesAndLoopback() {
        assertTrue(ca.getCriticalExtensionOIDs().contains(NAME_CONSTRAINTS), "critical name constraints");
        List<String> permitted = CaConstraints.of(ca).permittedText();

        List<String> expected = new java.util.ArrayList<>(List.of("swarmgate.corp.example", "10.20.30.40/32",
                "fd00:0:0:0:0:0:0:5/128", "localhost", "127.0.0.1/32", "0:0:0:0:0:0:0:1/128", "127.0.0.0/8"));
        for (String machineName : SubjectNames.machineHostnames()) {
            expected.add(machineName.toLowerCase(java.util.Locale.ROOT));
        }
        assertTrue(permitted.containsAll(expected), permitted.toString());
        assertTrue(permitted.size() == expected.size(), "nothing else permitted: " + permitted);
    }

    @Test
    void theServerCertificatePassesPkixValidationWithTheCaAsTrustAnchor() {
        assertDoesNotThrow(() -> validate(server));
    }

    @Test
    void aCertificateForAnOutsideNameSignedWithTheCaKeyFailsPkixValidation() {
        X509Certificate forged = issue("intranet.bank.example");

        CertPathValidatorException e = assertThrows(CertPathValidatorException.class, () -> validate(forged));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("name constraint"), e.getMessage());
    }

    @Test
    void aCertificateForAnOutsideAddressSignedWithTheCaKeyFailsPkixValidation() {
        X509Certificate forged = issue("10.20.30.41");

        CertPathValidatorException e = assertThrows(CertPathValidatorException.class, () -> validate(forged));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("name constraint"), e.getMessage());
    }

    @Test
    void subdomainsOfAConfiguredNameStayWithinTheConstraints() {
        assertDoesNotThrow(() -> validate(issue("cdn.swarmgate.corp.example")));
    }

    @Test
    void reissuingUnderTheCaWithAHostnameOutsideItsConstraintsFailsNamingTheSettingAndWritesNothing()
            throws Exception {
        byte[] caCrt = Files.readAllBytes(dir.resolve("ca.crt"));
        byte[] serverKey = Files.readAllBytes(dir.resolve("server.key"));
        Files.delete(dir.resolve("server.crt"));
        Pki pki = Pki.at(dir);

        ConfigException e = assertThrows(ConfigException.class,
                () -> pki.initialize(List.of("swarmgate.corp.example", "video.other.example")));

        assertTrue(e.getMessage().startsWith("server.hostnames: video.other.example is outside the name constraints"),
                e.getMessage());
        assertTrue(e.getMessage().contains("swarmgate init") && e.getMessage().contains("cert csr"), e.getMessage());
        assertTrue(e.getMessage().contains("(it may only certify swarmgate.corp.example, 10.20.30.40/32,"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("server.crt")));
        assertArrayEquals(caCrt, Files.readAllBytes(dir.resolve("ca.crt")));
        assertArrayEquals(serverKey, Files.readAllBytes(dir.resolve("server.key")));
    }

    @Test
    void reissuingUnderTheCaWithHostnamesInsideItsConstraintsIssuesAValidCertificate() throws Exception {
        Files.delete(dir.resolve("server.crt"));

        assertTrue(Pki.at(dir).initialize(List.of("cdn.swarmgate.corp.example", "10.20.30.40")));

        X509Certificate reissued = PemFiles.readCertificates(dir.resolve("server.crt")).get(0);
        assertTrue(PkiInitializeTest.sans(reissued).contains("cdn.swarmgate.corp.example"));
        assertDoesNotThrow(() -> validate(reissued));
    }

    @Test
    void aCaCreatedBeforeNameConstraintsKeepsIssuingForAnyName() throws Exception {
        // The CA as earlier versions created it: same subject and key, no name constraints.
        X500Name subject = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
        X509Certificate unconstrained = EnterpriseCa.issue(subject, ca.getPublicKey(), subject, caKey,
                ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant(), true, null);
        EnterpriseCa.writePem(dir.resolve("ca.crt"), List.of(unconstrained));
        Files.delete(dir.resolve("server.crt"));

        assertTrue(Pki.at(dir).initialize(List.of("video.other.example")));

        assertTrue(PkiInitializeTest.sans(PemFiles.readCertificates(dir.resolve("server.crt")).get(0))
                .contains("video.other.example"));
    }

    private X509Certificate issue(String name) {
        CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC());
        return issuer.issueServer(issuer.newKeyPair().getPublic(), SubjectNames.of(List.of(name), List.of()), ca, caKey);
    }

    /**
     * PKIX with the appliance CA as the only trust anchor and no revocation checking, on the chain
     * as the server sends it (leaf, then the CA). Browsers apply the name constraints of the root
     * they trust; the JDK's validator does not read them from a trust anchor (and refuses them as a
     * {@link TrustAnchor} parameter), but applies them to the CA certificate in the path.
     */
    private void validate(X509Certificate leaf) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf, ca)), parameters);
        assertNotNull(leaf);
    }
}
