package io.swarmgate.pki;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSProcessableFile;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Checks detached CMS signatures made by {@link AuditSigning}: the one signature must match the
 * content, and its signer certificate must chain to one of the trusted CA certificates and be
 * valid at the signing time the signature states (so an old export still checks after the
 * certificate was renewed). Offline: no revocation lookups. A signer certificate found to chain
 * to the trusted CAs is remembered, so checking thousands of checkpoints validates it once.
 * Not thread-safe: one instance per verification.
 */
public final class CmsSignatures {

    private static final Provider BC = new BouncyCastleProvider();

    private final List<X509Certificate> trusted;
    private final Set<X509Certificate> chained = new HashSet<>();

    /** @param trusted the CA certificates signatures must chain to */
    public CmsSignatures(List<X509Certificate> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** The CA certificates in a PEM file, to trust for {@link #verify}. */
    public static List<X509Certificate> trusted(Path pemFile) throws PkiException {
        try {
            return PemFiles.parseCertificates(java.nio.file.Files.readString(pemFile,
                    java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new PkiException("cannot read the CA certificate " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /** Checks {@code signature} over {@code content}; returns the signer's certificate. */
    public X509Certificate verify(byte[] signature, byte[] content) throws PkiException {
        return verify(signature, new CMSProcessableByteArray(content));
    }

    /** Checks {@code signature} over the file's bytes; returns the signer's certificate. */
    public X509Certificate verify(byte[] signature, Path content) throws PkiException {
        return verify(signature, new CMSProcessableFile(new File(content.toString())));
    }

    private X509Certificate verify(byte[] signature, CMSTypedData content) throws PkiException {
        if (trusted.isEmpty()) {
            throw new PkiException("no trusted CA certificate to check the signature against");
        }
        try {
            CMSSignedData signed = new CMSSignedData(content, signature);
            Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new PkiException("the signature has " + signers.size() + " signers; expected exactly one");
            }
            SignerInformation signer = signers.iterator().next();
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> matches = signed.getCertificates().getMatches(signer.getSID());
            if (matches.isEmpty()) {
                throw new PkiException("the signature does not carry its signer's certificate");
            }
            X509Certificate cert = PemFiles.toJdk(matches.iterator().next().getEncoded());
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(cert))) {
                throw new PkiException("the signature does not match the content");
            }
            boolean[] usage = cert.getKeyUsage();
            if (usage != null && !usage[0] && !usage[1]) {
                throw new PkiException("the signer's certificate " + cert.getSubjectX500Principal().getName()
                        + " may not sign documents (key usage)");
            }
            Date at = signingTime(signer);
            if (chained.contains(cert)) {
                cert.checkValidity(at);
            } else {
                List<X509Certificate> carried = new ArrayList<>();
                for (Object holder : signed.getCertificates().getMatches(null)) {
                    carried.add(PemFiles.toJdk(((X509CertificateHolder) holder).getEncoded()));
                }
                chain(cert, carried, at);
                chained.add(cert);
            }
            return cert;
        } catch (CMSException e) {
            // BouncyCastle reports a digest mismatch and malformed DER alike as CMSException.
            throw new PkiException("the signature does not match the content or is not a CMS signature: "
                    + e.getMessage(), e);
        } catch (java.security.cert.CertificateExpiredException
                 | java.security.cert.CertificateNotYetValidException e) {
            throw new PkiException("the signer's certificate was not valid when it signed: " + e.getMessage(), e);
        } catch (OperatorCreationException | IOException | GeneralSecurityException e) {
            throw new PkiException("cannot check the signature: " + e.getMessage(), e);
        }
    }

    private static Date signingTime(SignerInformation signer) {
        if (signer.getSignedAttributes() != null) {
            Attribute a = signer.getSignedAttributes().get(CMSAttributes.signingTime);
            if (a != null && a.getAttrValues().size() == 1) {
                return Time.getInstance(a.getAttrValues().getObjectAt(0)).getDate();
            }
        }
        return new Date();
    }

    /**
     * The signer's certificate must lead to a trusted CA, through the intermediate CAs the
     * signature carries (an enterprise CA's), valid at the signing time at every link.
     */
    private void chain(X509Certificate cert, List<X509Certificate> carried, Date at) throws PkiException {
        for (X509Certificate anchor : trusted) {
            if (anchor.equals(cert)) {
                return;
            }
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            trusted.forEach(t -> anchors.add(new TrustAnchor(t, null)));
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(cert);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            params.setRevocationEnabled(false);
            params.setDate(at);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(carried)));
            CertPathBuilder.getInstance("PKIX").build(params);
        } catch (GeneralSecurityException e) {
            throw new PkiException("the signer's certificate " + cert.getSubjectX500Principal().getName()
                    + " is not issued by the trusted CA (or was not valid when it signed): " + e.getMessage(), e);
        }
    }
}
