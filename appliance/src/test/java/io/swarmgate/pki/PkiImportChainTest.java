package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PkiImportChainTest {

    @TempDir
    Path dir;
    @TempDir
    Path work;
    Pki pki;
    EnterpriseCa corp;
    byte[] originalServerCrt;

    @BeforeEach
    void setUp() throws Exception {
        pki = Pki.at(dir);
        pki.initialize(List.of("video.corp.example"));
        corp = new EnterpriseCa();
        originalServerCrt = Files.readAllBytes(dir.resolve("server.crt"));
    }

    @Test
    void importAcceptsAChainFromTheEnterpriseCaAndTheKeyStoreServesIt() throws Exception {
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()));
        Path file = EnterpriseCa.writePem(work.resolve("signed.pem"), List.of(leaf, corp.intermediate, corp.root));

        pki.importChain(file);

        assertEquals(List.of(leaf, corp.intermediate, corp.root), PemFiles.readCertificates(dir.resolve("server.crt")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("server.crt"))));
        Certificate[] served = TlsLoopback.handshake(pki.serverKeyStore(), pki.keyStorePassword(),
                TlsLoopback.trustStoreOf(List.of(corp.root)));
        assertEquals(List.of(leaf, corp.intermediate, corp.root), List.of(served));
    }

    @Test
    void importPutsAnOutOfOrderChainBackInSigningOrder() throws Exception {
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()));
        Path file = EnterpriseCa.writePem(work.resolve("unordered.pem"), List.of(leaf, corp.root, corp.intermediate));

        pki.importChain(file);

        assertEquals(List.of(leaf, corp.intermediate, corp.root), PemFiles.readCertificates(dir.resolve("server.crt")));
    }

    @Test
    void importAcceptsALeafWhoseIssuerIsTheApplianceCaWithoutRepeatingIt() throws Exception {
        X509Certificate ownLeaf = PemFiles.readCertificates(dir.resolve("server.crt")).get(0);
        Path file = EnterpriseCa.writePem(work.resolve("own-leaf.pem"), List.of(ownLeaf));

        pki.importChain(file);

        assertEquals(List.of(ownLeaf), PemFiles.readCertificates(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsACertificateForADifferentKeyAndKeepsTheOldChain() throws Exception {
        Pki stranger = Pki.at(Files.createDirectories(work.resolve("stranger")));
        stranger.initialize(List.of());
        X509Certificate leaf = corp.sign(stranger.csrPem(List.of()));
        Path file = EnterpriseCa.writePem(work.resolve("other-key.pem"), List.of(leaf, corp.intermediate, corp.root));

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().contains("public key does not match this appliance's private key"), e.getMessage());
        assertTrue(e.getMessage().contains("swarmgate cert csr"), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsAnExpiredChain() throws Exception {
        Instant now = Instant.now();
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()), now.minus(Duration.ofDays(400)),
                now.minus(Duration.ofDays(35)), KeyPurposeId.id_kp_serverAuth);
        Path file = EnterpriseCa.writePem(work.resolve("expired.pem"), List.of(leaf, corp.intermediate, corp.root));

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().contains("'CN=video.corp.example' expired on "), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsAChainThatIsNotValidYet() throws Exception {
        Instant now = Instant.now();
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()), now.plus(Duration.ofDays(2)),
                now.plus(Duration.ofDays(300)), KeyPurposeId.id_kp_serverAuth);
        Path file = EnterpriseCa.writePem(work.resolve("future.pem"), List.of(leaf, corp.intermediate, corp.root));

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().contains("'CN=video.corp.example' is not valid yet"), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsAChainMissingItsIntermediate() throws Exception {
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()));
        Path file = EnterpriseCa.writePem(work.resolve("no-intermediate.pem"), List.of(leaf, corp.root));

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().startsWith("the chain is incomplete"), e.getMessage());
        assertTrue(e.getMessage().contains("CN=Example Corp Issuing CA 1"), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsALeafWithoutAnyIssuer() throws Exception {
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()));
        Path file = EnterpriseCa.writePem(work.resolve("leaf-only.pem"), List.of(leaf));

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().startsWith("the chain is incomplete"), e.getMessage());
    }

    @Test
    void importRejectsALeafWithoutServerAuthUsage() throws Exception {
        X509Certificate leaf = corp.sign(pki.csrPem(List.of()), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(100)), KeyPurposeId.id_kp_clientAuth);
        Path file = EnterpriseCa.writePem(work.resolve("client-auth.pem"), List.of(leaf, corp.intermediate, corp.root));

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().contains("lacks serverAuth"), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsAnEmptyFile() throws Exception {
        Path file = Files.writeString(work.resolve("empty.pem"), "");

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().startsWith("the file contains no PEM certificate"), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsGarbageText() throws Exception {
        Path file = Files.writeString(work.resolve("garbage.pem"), "this is not a certificate\n\u0000\u00ff",
                StandardCharsets.ISO_8859_1);

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().startsWith("the file contains no PEM certificate"), e.getMessage());
    }

    @Test
    void importRejectsACorruptCertificateBlock() throws Exception {
        Path file = Files.writeString(work.resolve("corrupt.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIBnotreallyDERatall==\n-----END CERTIFICATE-----\n");

        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(file));

        assertTrue(e.getMessage().startsWith("cannot parse the certificate file"), e.getMessage());
        assertArrayEquals(originalServerCrt, Files.readAllBytes(dir.resolve("server.crt")));
    }

    @Test
    void importRejectsAMissingFile() {
        PkiException e = assertThrows(PkiException.class, () -> pki.importChain(work.resolve("nope.pem")));

        assertTrue(e.getMessage().startsWith("cannot read "), e.getMessage());
    }
}
