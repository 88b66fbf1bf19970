package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiInitializeTest {

    @TempDir
    Path dir;

    @Test
    void atCreatesNothingAndReportsUninitialized() {
        Pki pki = Pki.at(dir.resolve("pki"));
        assertFalse(pki.isInitialized());
        assertFalse(Files.exists(dir.resolve("pki")));
        assertEquals(dir.resolve("pki").resolve("ca.crt").toAbsolutePath(), pki.caCertificateFile());
    }

    @Test
    void initializeCreatesCaAndServerFilesReadableOnlyByTheOwner() throws Exception {
        Pki pki = Pki.at(dir);

        assertTrue(pki.initialize(List.of()));

        assertTrue(pki.isInitialized());
        for (String name : List.of("ca.crt", "ca.key", "server.key", "server.crt")) {
            Path file = dir.resolve(name);
            assertTrue(Files.isRegularFile(file), name);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), name);
        }
        assertTrue(Files.readString(dir.resolve("server.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(dir.resolve("ca.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        try (var leftovers = Files.list(dir)) {
            assertEquals(4, leftovers.count(), "no temporary files left behind");
        }
    }

    @Test
    void initializeIsIdempotentAndLeavesExistingFilesUntouched() throws Exception {
        Pki pki = Pki.at(dir);
        pki.initialize(List.of("a.example"));
        byte[] caKey = Files.readAllBytes(dir.resolve("ca.key"));
        byte[] serverCrt = Files.readAllBytes(dir.resolve("server.crt"));

        assertFalse(pki.initialize(List.of("a.example")));
        assertFalse(Pki.at(dir).initialize(List.of("other.example")));

        assertArrayEquals(caKey, Files.readAllBytes(dir.resolve("ca.key")));
        assertArrayEquals(serverCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void initializeReissuesAMissingServerCertificateUnderTheExistingCa() throws Exception {
        Pki pki = Pki.at(dir);
        pki.initialize(List.of());
        byte[] caCrt = Files.readAllBytes(dir.resolve("ca.crt"));
        byte[] oldServerKey = Files.readAllBytes(dir.resolve("server.key"));
        Files.delete(dir.resolve("server.crt"));

        assertTrue(pki.initialize(List.of()));

        assertArrayEquals(caCrt, Files.readAllBytes(dir.resolve("ca.crt")));
        assertFalse(java.util.Arrays.equals(oldServerKey, Files.readAllBytes(dir.resolve("server.key"))));
        List<X509Certificate> chain = PemFiles.readCertificates(dir.resolve("server.crt"));
        chain.get(0).verify(PemFiles.readCertificates(dir.resolve("ca.crt")).get(0).getPublicKey());
    }

    @Test
    void caIsAnEcP256PathLengthZeroCaValidForTenYears() throws Exception {
        Pki.at(dir).initialize(List.of());
        X509Certificate ca = PemFiles.readCertificates(dir.resolve("ca.crt")).get(0);

        assertEquals("CN=Swarmgate Appliance CA " + SubjectNames.machineHostname(SubjectNames.machineHostnames()) + ",O=Swarmgate",
                ca.getSubjectX500Principal().getName());
        assertEquals("SHA256withECDSA", ca.getSigAlgName());
        assertEquals(256, ((ECPublicKey) ca.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals(0, ca.getBasicConstraints());
        assertTrue(ca.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.19", "2.5.29.15")));
        boolean[] usage = ca.getKeyUsage();
        assertTrue(usage[5] && usage[6] && !usage[0], "keyCertSign and cRLSign only");
        assertTrue(ca.getExtensionValue("2.5.29.14") != null, "subject key identifier");
        assertEquals(1, ca.getSerialNumber().signum());
        assertEquals(128, ca.getSerialNumber().bitLength());
        Instant notBefore = ca.getNotBefore().toInstant();
        assertTrue(notBefore.isBefore(Instant.now().minus(Duration.ofMinutes(59))), "backdated for clock skew");
        long years = Duration.between(notBefore, ca.getNotAfter().toInstant()).toDays() / 365;
        assertEquals(10, years);
        ca.verify(ca.getPublicKey());
    }

    @Test
    void serverCertificateChainsToTheCaAndCarriesExtraNamesMachineNamesAndLoopback() throws Exception {
        Pki.at(dir).initialize(List.of("swarmgate.corp.example", "10.20.30.40", "fd00::5", "LOCALHOST"));
        List<X509Certificate> chain = PemFiles.readCertificates(dir.resolve("server.crt"));
        X509Certificate ca = PemFiles.readCertificates(dir.resolve("ca.crt")).get(0);
        X509Certificate leaf = chain.get(0);

        assertEquals(2, chain.size());
        assertEquals(ca, chain.get(1));
        leaf.verify(ca.getPublicKey());
        assertEquals("CN=swarmgate.corp.example", leaf.getSubjectX500Principal().getName());
        assertEquals(ca.getSubjectX500Principal(), leaf.getIssuerX500Principal());

        List<String> sans = sans(leaf);
        assertTrue(sans.containsAll(List.of("swarmgate.corp.example", "10.20.30.40", "fd00:0:0:0:0:0:0:5",
                "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1")), sans.toString());
        for (String machineName : SubjectNames.machineHostnames()) {
            assertTrue(sans.contains(machineName.toLowerCase(java.util.Locale.ROOT)), machineName + " in " + sans);
        }
        assertEquals(sans.size(), sans.stream().distinct().count(), "no duplicates: " + sans);

        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), leaf.getExtendedKeyUsage());
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
        assertTrue(leaf.getCriticalExtensionOIDs().contains("2.5.29.15"));
        assertEquals(-1, leaf.getBasicConstraints());
        assertTrue(leaf.getExtensionValue("2.5.29.35") != null, "authority key identifier");
        assertTrue(leaf.getExtensionValue("2.5.29.14") != null, "subject key identifier");
        long days = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).toDays();
        assertTrue(days >= 730 && days <= 731, "two years, was " + days);
        assertNotEquals(ca.getPublicKey(), leaf.getPublicKey());
        assertDoesNotThrow(() -> leaf.checkValidity());
    }

    @Test
    void initializeRejectsAnExtraHostnameThatIsNeitherDnsNorIp() {
        Pki pki = Pki.at(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pki.initialize(List.of("bad name!")));
        assertTrue(e.getMessage().contains("'bad name!'"), e.getMessage());
        assertFalse(pki.isInitialized());
    }

    static List<String> sans(X509Certificate cert) throws Exception {
        List<String> out = new ArrayList<>();
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        for (List<?> name : names) {
            out.add((String) name.get(1));
        }
        return out;
    }
}
