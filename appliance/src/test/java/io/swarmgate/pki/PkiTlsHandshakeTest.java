package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PkiTlsHandshakeTest {

    @TempDir
    Path dir;
    Pki pki;

    @BeforeEach
    void initialize() {
        pki = Pki.at(dir);
        pki.initialize(List.of());
    }

    @Test
    void keyStoreHoldsTheServerKeyAndFullChainUnderAliasServer() throws Exception {
        KeyStore store = pki.serverKeyStore();

        assertEquals("PKCS12", store.getType());
        assertEquals(List.of("server"), java.util.Collections.list(store.aliases()));
        PrivateKey key = (PrivateKey) store.getKey("server", pki.keyStorePassword());
        assertArrayEquals(PemFiles.readPrivateKey(dir.resolve("server.key")).getEncoded(), key.getEncoded());
        Certificate[] chain = store.getCertificateChain("server");
        assertEquals(PemFiles.readCertificates(dir.resolve("server.crt")), List.of(chain));
    }

    @Test
    void clientTrustingOnlyTheApplianceCaCompletesAHandshakeAndVerifiesTheLoopbackAddress() throws Exception {
        X509Certificate ca = PemFiles.readCertificates(pki.caCertificateFile()).get(0);

        Certificate[] served = TlsLoopback.handshake(pki.serverKeyStore(), pki.keyStorePassword(),
                TlsLoopback.trustStoreOf(List.of(ca)));

        assertEquals(PemFiles.readCertificates(dir.resolve("server.crt")), List.of(served));
    }

    @Test
    void clientWithOnlyTheJvmDefaultRootsRejectsTheHandshake() {
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> TlsLoopback.handshake(pki.serverKeyStore(), pki.keyStorePassword(), null));
        assertTrue(e.getMessage().contains("PKIX"), e.getMessage());
    }

    @Test
    void clientWithAnEmptyTrustStoreRejectsTheHandshake() throws Exception {
        KeyStore emptyTrust = TlsLoopback.trustStoreOf(List.of());

        // The JDK refuses an empty anchor set outright, so this surfaces as SSLException rather
        // than SSLHandshakeException; either way no session is established.
        SSLException e = assertThrows(SSLException.class,
                () -> TlsLoopback.handshake(pki.serverKeyStore(), pki.keyStorePassword(), emptyTrust));
        assertTrue(e.getMessage().contains("trustAnchors"), e.getMessage());
    }

    @Test
    void clientTrustingAnotherApplianceCaRejectsTheHandshake() throws Exception {
        Pki other = Pki.at(dir.resolveSibling(dir.getFileName() + "-other"));
        java.nio.file.Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-other"));
        other.initialize(List.of());
        X509Certificate otherCa = PemFiles.readCertificates(other.caCertificateFile()).get(0);

        assertThrows(SSLHandshakeException.class, () -> TlsLoopback.handshake(pki.serverKeyStore(),
                pki.keyStorePassword(), TlsLoopback.trustStoreOf(List.of(otherCa))));
    }
}
