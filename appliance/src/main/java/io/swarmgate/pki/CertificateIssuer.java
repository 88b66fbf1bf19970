package io.swarmgate.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Creates keys, the appliance CA, server certificates and CSRs. The BouncyCastle provider is used
 * as an instance, never registered with {@code Security}, so the rest of the JVM (TLS in
 * particular) keeps using the JDK's providers.
 */
final class CertificateIssuer {

    static final int CA_VALIDITY_YEARS = 10;
    static final int SERVER_VALIDITY_YEARS = 2;
    /** Backdating covers clients whose clocks run a little behind the appliance's. */
    static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final String CURVE = "secp256r1";
    /** id-kp-documentSigning (RFC 9336): signatures over documents, here audit evidence. */
    private static final KeyPurposeId DOCUMENT_SIGNING =
            KeyPurposeId.getInstance(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.36"));

    private final Provider bc = new BouncyCastleProvider();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    CertificateIssuer(Clock clock) {
        this.clock = clock;
    }

    KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", bc);
            generator.initialize(new ECGenParameterSpec(CURVE), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    /**
     * The appliance CA, limited by {@code constraints} to the appliance's own names (critical, as
     * RFC 5280 requires, so a client that cannot check them refuses the chain instead of ignoring
     * them).
     */
    X509Certificate issueCa(KeyPair ca, String hostname, CaConstraints constraints) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                // Most general RDN first, so RFC 2253 shows "CN=..., O=Swarmgate" as clients display it.
                .addRDN(BCStyle.O, "Swarmgate")
                .addRDN(BCStyle.CN, "Swarmgate Appliance CA " + hostname)
                .build();
        Instant notBefore = clock.instant().minus(CLOCK_SKEW);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(notBefore), Date.from(plusYears(notBefore, CA_VALIDITY_YEARS)), subject, ca.getPublic())
                    // pathlen 0: this CA signs the appliance's own server and audit-signing certificates, no CA.
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.nameConstraints, true, constraints.extension())
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(ca.getPublic()));
            return sign(builder, ca.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue the appliance CA certificate", e);
        }
    }

    X509Certificate issueServer(PublicKey serverKey, SubjectNames names, X509Certificate caCert, PrivateKey caKey) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.commonName()).build();
        Instant notBefore = clock.instant().minus(CLOCK_SKEW);
        Instant notAfter = plusYears(notBefore, SERVER_VALIDITY_YEARS);
        if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
            // A leaf outliving its CA would be rejected by clients from that day on anyway.
            notAfter = caCert.getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, serverKey)
                    .addExtension(Extension.basicConstraints, false, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, names.generalNames())
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(serverKey));
            return sign(builder, caKey);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue the server certificate", e);
        }
    }

    /**
     * The audit-signing certificate: signs audit checkpoints and exports (CMS), nothing else. It
     * carries no host name, so the CA's name constraints and TLS clients have nothing to accept
     * it for, and lives as long as the CA so that signatures stay checkable with today's tools.
     */
    X509Certificate issueAuditSigning(PublicKey key, String hostname, X509Certificate caCert, PrivateKey caKey) {
        Instant notBefore = clock.instant().minus(CLOCK_SKEW);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
                    Date.from(notBefore), caCert.getNotAfter(), auditSigningSubject(hostname), key)
                    .addExtension(Extension.basicConstraints, false, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(DOCUMENT_SIGNING))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            return sign(builder, caKey);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue the audit-signing certificate", e);
        }
    }

    /** PKCS#10 request carrying the SANs, key usage and serverAuth EKU in an extensionRequest. */
    PKCS10CertificationRequest csr(PrivateKey key, PublicKey publicKey, SubjectNames names) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.commonName()).build();
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, names.generalNames());
            extensions.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extensions.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return csr(key, publicKey, subject, extensions);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the certificate signing request", e);
        }
    }

    /**
     * PKCS#10 request for the audit-signing certificate: the subject of
     * {@link #issueAuditSigning}, key usage digitalSignature and nonRepudiation (critical) and
     * the documentSigning EKU, so a CA that copies requested extensions issues exactly what
     * {@code ChainValidator.Use.AUDIT_SIGNING} accepts.
     */
    PKCS10CertificationRequest auditSigningCsr(PrivateKey key, PublicKey publicKey, String hostname) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
            extensions.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(DOCUMENT_SIGNING));
            return csr(key, publicKey, auditSigningSubject(hostname), extensions);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the audit-signing certificate signing request", e);
        }
    }

    private PKCS10CertificationRequest csr(PrivateKey key, PublicKey publicKey, X500Name subject,
            ExtensionsGenerator extensions) throws IOException {
        try {
            return new JcaPKCS10CertificationRequestBuilder(subject, publicKey)
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(signer(key));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the certificate signing request", e);
        }
    }

    private static X500Name auditSigningSubject(String hostname) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Swarmgate")
                .addRDN(BCStyle.CN, "Swarmgate Audit Signing " + hostname)
                .build();
    }

    /**
     * The public half of an EC private key, as a JDK key. Computed rather than read from server.crt
     * so the key on disk, not whatever certificate happens to be installed, is the reference.
     */
    PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof java.security.interfaces.ECPrivateKey ec)) {
            throw new IllegalStateException("the server key is a " + key.getAlgorithm() + " key, expected EC");
        }
        try {
            java.security.spec.ECParameterSpec jdkParams = ec.getParams();
            // BouncyCastle does the point multiplication; the JDK spec keeps the named-curve encoding.
            ECPoint q = EC5Util.convertSpec(jdkParams).getG().multiply(ec.getS()).normalize();
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(w, jdkParams));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the public key of the server key", e);
        }
    }

    private X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return PemFiles.toJdk(builder.build(signer(key)).getEncoded());
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).setProvider(bc).setSecureRandom(random).build(key);
    }

    /** Random positive 128-bit serial; the top bit is set so every serial has the same length. */
    private BigInteger serial() {
        return new BigInteger(128, random).setBit(127);
    }

    /** Years are added on the calendar so "10 years" does not drift by leap days. */
    private static Instant plusYears(Instant start, int years) {
        return start.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
    }
}
