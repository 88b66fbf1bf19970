package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiCsrTest {

    @TempDir
    Path dir;

    @Test
    void csrIsASignedPkcs10RequestForTheServerKeyWithTheRequestedNames() throws Exception {
        Pki pki = Pki.at(dir);
        pki.initialize(List.of("first.corp.example"));

        String pem = pki.csrPem(List.of("video.corp.example", "192.168.7.8"));

        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----"), pem);
        JcaPKCS10CertificationRequest csr = EnterpriseCa.parseCsr(pem);
        assertTrue(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getPublicKey())));
        ECPublicKey serverKey = (ECPublicKey) PemFiles.readCertificates(dir.resolve("server.crt")).get(0).getPublicKey();
        assertEquals(serverKey.getW(), ((ECPublicKey) csr.getPublicKey()).getW());
        assertEquals("CN=video.corp.example", csr.getSubject().toString());

        Extensions requested = Extensions.getInstance(
                csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        List<String> sans = Arrays.stream(GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName)
                .getNames()).map(PkiCsrTest::text).toList();
        assertEquals("video.corp.example", sans.get(0));
        assertTrue(sans.containsAll(List.of("192.168.7.8", "first.corp.example", "localhost", "127.0.0.1")), sans.toString());
        assertEquals(sans.size(), sans.stream().distinct().count(), sans.toString());
        assertTrue(ExtendedKeyUsage.fromExtensions(requested).hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth));
    }

    @Test
    void csrWithoutExtraNamesKeepsTheNamesOfTheCurrentServerCertificate() throws Exception {
        Pki pki = Pki.at(dir);
        pki.initialize(List.of("kept.corp.example", "10.1.1.1"));

        JcaPKCS10CertificationRequest csr = EnterpriseCa.parseCsr(pki.csrPem(List.of()));

        assertEquals("CN=kept.corp.example", csr.getSubject().toString());
        Extensions requested = Extensions.getInstance(
                csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        List<String> sans = Arrays.stream(GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName)
                .getNames()).map(PkiCsrTest::text).toList();
        assertEquals(PkiInitializeTest.sans(PemFiles.readCertificates(dir.resolve("server.crt")).get(0)).stream()
                .map(s -> s.replace("0:0:0:0:0:0:0:1", "::1")).toList(), sans);
    }

    @Test
    void csrBeforeInitializeFailsWithAHint() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pki.at(dir).csrPem(List.of()));
        assertTrue(e.getMessage().contains("swarmgate init"), e.getMessage());
    }

    private static String text(GeneralName name) {
        if (name.getTagNo() == GeneralName.iPAddress) {
            byte[] bytes = org.bouncycastle.asn1.ASN1OctetString.getInstance(name.getName()).getOctets();
            try {
                String ip = java.net.InetAddress.getByAddress(bytes).getHostAddress();
                return ip.equals("0:0:0:0:0:0:0:1") ? "::1" : ip;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return name.getName().toString();
    }
}
