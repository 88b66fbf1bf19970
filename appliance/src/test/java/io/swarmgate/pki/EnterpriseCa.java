package io.swarmgate.pki;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A stand-in for a corporate CA: a self-signed root and an intermediate under it, issuing server
 * certificates from CSRs the way an enterprise CA's web server template would.
 */
final class EnterpriseCa {

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    final KeyPair rootKey = newKey();
    final X509Certificate root;
    final KeyPair intermediateKey = newKey();
    final X509Certificate intermediate;

    EnterpriseCa() throws Exception {
        Instant now = Instant.now();
        root = issue(new X500Name("CN=Example Corp Root CA, O=Example Corp"), rootKey.getPublic(),
                new X500Name("CN=Example Corp Root CA, O=Example Corp"), rootKey.getPrivate(),
                now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650)), true, null);
        intermediate = issue(new X500Name("CN=Example Corp Issuing CA 1, O=Example Corp"), intermediateKey.getPublic(),
                X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), rootKey.getPrivate(),
                now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(1825)), true, null);
    }

    /** A server certificate for the CSR's key and names, valid for a year from a day ago. */
    X509Certificate sign(String csrPem) throws Exception {
        Instant now = Instant.now();
        return sign(csrPem, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), KeyPurposeId.id_kp_serverAuth);
    }

    X509Certificate sign(String csrPem, Instant notBefore, Instant notAfter, KeyPurposeId eku) throws Exception {
        JcaPKCS10CertificationRequest csr = parseCsr(csrPem);
        Extensions requested = Extensions.getInstance(
                csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        return issue(csr.getSubject(), csr.getPublicKey(),
                X500Name.getInstance(intermediate.getSubjectX500Principal().getEncoded()), intermediateKey.getPrivate(),
                notBefore, notAfter, false, new Object[] {requested.getExtension(Extension.subjectAlternativeName), eku});
    }

    static JcaPKCS10CertificationRequest parseCsr(String csrPem) throws Exception {
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            return new JcaPKCS10CertificationRequest((PKCS10CertificationRequest) parser.readObject());
        }
    }

    static Path writePem(Path file, List<X509Certificate> certs) throws Exception {
        Files.writeString(file, PemFiles.encode(certs), StandardCharsets.US_ASCII);
        return file;
    }

    static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code leafExtras} is {SAN extension, EKU or null} for a leaf; null for a CA. */
    static X509Certificate issue(X500Name subject, PublicKey key, X500Name issuer, PrivateKey issuerKey,
                                 Instant notBefore, Instant notAfter, boolean ca, Object[] leafExtras) throws Exception {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject, key);
        if (ca) {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.basicConstraints, false, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            if (leafExtras[0] != null) {
                builder.addExtension((Extension) leafExtras[0]);
            }
            if (leafExtras[1] != null) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage((KeyPurposeId) leafExtras[1]));
            }
        }
        return PemFiles.toJdk(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)).getEncoded());
    }
}
