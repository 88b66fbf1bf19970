package io.swarmgate.pki;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSProcessableFile;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The audit-signing key and certificate ({@code <pki>/audit-signing.key} and
 * {@code audit-signing.crt}, issued by the appliance CA or imported from the enterprise CA):
 * detached CMS signatures (DER) over audit checkpoints and exports, which
 * {@code openssl cms -verify -binary -inform DER} accepts against {@code ca.crt}, or against the
 * enterprise root when the certificate came from it. The signer's certificate and its
 * intermediate CAs travel inside every signature (self-signed roots do not: the auditor brings
 * the root they trust). Thread-safe: each signature builds its own generator.
 */
public final class AuditSigning {

    private static final String SIGNATURE = "SHA256withECDSA";

    private final Provider bc = new BouncyCastleProvider();
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final List<X509Certificate> carried;

    /** @param chain the signer's certificate first, then its issuers as in {@code audit-signing.crt} */
    AuditSigning(PrivateKey key, List<X509Certificate> chain) {
        this.key = key;
        this.certificate = chain.get(0);
        this.carried = chain.stream().filter(c -> c == certificate || !ChainValidator.isSelfSigned(c)).toList();
    }

    /** What a signature carries: the signer's certificate, then its intermediate CAs. */
    public List<X509Certificate> carriedChain() {
        return carried;
    }

    PrivateKey key() {
        return key;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A detached signature over {@code content}. */
    public byte[] sign(byte[] content) {
        return sign(new CMSProcessableByteArray(content));
    }

    /** A detached signature over the file's bytes, read once as a stream (exports can be large). */
    public byte[] sign(Path file) {
        return sign(new CMSProcessableFile(new File(file.toString())));
    }

    private byte[] sign(CMSTypedData content) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(bc).build())
                    .build(new JcaContentSignerBuilder(SIGNATURE).setProvider(bc).build(key), certificate));
            generator.addCertificates(new JcaCertStore(carried));
            return generator.generate(content, false).getEncoded();
        } catch (OperatorCreationException | CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalStateException("cannot sign with the audit-signing key: " + e.getMessage(), e);
        }
    }
}
