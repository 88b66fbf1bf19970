package io.swarmgate.pki;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Decides whether a chain handed in by an administrator may replace the server certificate or
 * the audit-signing certificate. The checks are the ones a TLS client or an auditor's
 * {@code openssl cms -verify} would make and fail on later, run now so the administrator sees
 * the reason at import time instead of every browser showing a warning (or every export failing
 * to verify) afterwards.
 */
final class ChainValidator {

    /** What the leaf certificate is for; each use has its own key and purpose checks. */
    enum Use {
        /** The HTTPS server certificate: extended key usage, if present, allows serverAuth. */
        TLS_SERVER("swarmgate cert csr"),
        /**
         * The audit-signing certificate: key usage present with digitalSignature or
         * nonRepudiation, extended key usage (if present) allows document or e-mail signing, not a CA.
         */
        AUDIT_SIGNING("swarmgate cert csr --audit-signing");

        private final String csrCommand;

        Use(String csrCommand) {
            this.csrCommand = csrCommand;
        }
    }

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final String DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36";
    private static final String ANY_EKU = "2.5.29.37.0";

    private final PublicKey expectedKey;
    private final List<X509Certificate> knownIssuers;
    private final Clock clock;
    private final Use use;

    /**
     * @param expectedKey  the public half of the key the certificate is for ({@code server.key} or
     *                     {@code audit-signing.key}); the leaf must carry exactly this key
     * @param knownIssuers certificates a chain may end under without including them (the appliance
     *                     CA and the JVM's trusted roots; for audit signing, the enterprise roots
     *                     imported before)
     */
    ChainValidator(PublicKey expectedKey, List<X509Certificate> knownIssuers, Clock clock, Use use) {
        this.expectedKey = expectedKey;
        this.knownIssuers = List.copyOf(knownIssuers);
        this.clock = clock;
        this.use = use;
    }

    /**
     * Checks {@code certs} (file order, leaf first) and returns the chain to store: the leaf followed
     * by its issuers in signing order. Certificates in the file that are not part of the path are
     * dropped.
     */
    List<X509Certificate> validate(List<X509Certificate> certs) throws PkiException {
        if (certs.isEmpty()) {
            throw new PkiException("the file contains no PEM certificate (expected '-----BEGIN CERTIFICATE-----' blocks,"
                    + " server certificate first)");
        }
        X509Certificate leaf = certs.get(0);
        if (!sameKey(leaf.getPublicKey(), expectedKey)) {
            throw new PkiException("the certificate's public key does not match this appliance's private key"
                    + " (the CSR from '" + use.csrCommand + "' must be signed)");
        }
        List<X509Certificate> path = buildPath(leaf, certs.subList(1, certs.size()));
        for (X509Certificate cert : path) {
            checkValidNow(cert);
        }
        if (use == Use.TLS_SERVER) {
            checkServerAuth(leaf);
        } else {
            checkDocumentSigning(leaf);
        }
        return path;
    }

    private List<X509Certificate> buildPath(X509Certificate leaf, List<X509Certificate> others) throws PkiException {
        List<X509Certificate> path = new ArrayList<>();
        List<X509Certificate> remaining = new ArrayList<>(others);
        X509Certificate current = leaf;
        path.add(current);
        while (!isSelfSigned(current)) {
            X509Certificate issuer = findIssuer(current, remaining);
            if (issuer != null) {
                if (issuer.getBasicConstraints() < 0) {
                    throw new PkiException("the chain is invalid: '" + name(issuer) + "' signed '" + name(current)
                            + "' but is not a CA certificate");
                }
                remaining.remove(issuer);
                path.add(issuer);
                current = issuer;
                continue;
            }
            if (findIssuer(current, knownIssuers) != null) {
                return path;
            }
            throw new PkiException("the chain is incomplete: no certificate in the file issued '" + name(current)
                    + "' (issuer '" + current.getIssuerX500Principal().getName()
                    + "'); append the intermediate CA certificates" + (use == Use.AUDIT_SIGNING ? " and the root" : "")
                    + " after the " + (use == Use.AUDIT_SIGNING ? "audit-signing" : "server") + " certificate");
        }
        return path;
    }

    /** An issuer must match by name and its key must verify the signature; a name alone is not enough. */
    private static X509Certificate findIssuer(X509Certificate cert, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                    && verifies(cert, candidate.getPublicKey())) {
                return candidate;
            }
        }
        return null;
    }

    static boolean isSelfSigned(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
                && verifies(cert, cert.getPublicKey());
    }

    private static boolean verifies(X509Certificate cert, PublicKey key) {
        try {
            cert.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private void checkValidNow(X509Certificate cert) throws PkiException {
        Date now = Date.from(clock.instant());
        try {
            cert.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new PkiException("certificate '" + name(cert) + "' expired on " + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new PkiException("certificate '" + name(cert) + "' is not valid yet (valid from "
                    + cert.getNotBefore().toInstant() + "); check the clocks of this appliance and of the CA");
        }
    }

    private static void checkServerAuth(X509Certificate leaf) throws PkiException {
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new PkiException("the server certificate's extended key usage cannot be read: " + e.getMessage(), e);
        }
        if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
            throw new PkiException("the certificate is not for TLS servers: its extended key usage lacks serverAuth"
                    + " (ask the CA for a web server / TLS server template)");
        }
    }

    private static void checkDocumentSigning(X509Certificate leaf) throws PkiException {
        if (leaf.getBasicConstraints() >= 0) {
            throw new PkiException("the certificate is a CA certificate; the audit-signing certificate must be an"
                    + " end-entity certificate (ask the CA for a document-signing template)");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null || (!usage[0] && !usage[1])) {
            throw new PkiException("the certificate may not sign documents: its key usage "
                    + (usage == null ? "is missing" : "lacks digitalSignature and nonRepudiation")
                    + " (ask the CA for a document-signing template, or copy the CSR's extensions)");
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new PkiException("the certificate's extended key usage cannot be read: " + e.getMessage(), e);
        }
        if (eku != null && !eku.contains(DOCUMENT_SIGNING) && !eku.contains(EMAIL_PROTECTION)
                && !eku.contains(ANY_EKU)) {
            throw new PkiException("the certificate is not for signing documents: its extended key usage " + eku
                    + " lacks documentSigning (1.3.6.1.5.5.7.3.36) and emailProtection (1.3.6.1.5.5.7.3.4)");
        }
    }

    private static boolean sameKey(PublicKey a, PublicKey b) {
        if (a instanceof ECPublicKey ea && b instanceof ECPublicKey eb) {
            // Compare the point, not the encoding: a CA may re-encode the curve parameters explicitly.
            return ea.getW().equals(eb.getW())
                    && ea.getParams().getCurve().equals(eb.getParams().getCurve());
        }
        return java.util.Arrays.equals(a.getEncoded(), b.getEncoded());
    }

    private static String name(X509Certificate cert) {
        return cert.getSubjectX500Principal().getName();
    }

    /** The JVM's default trusted roots, for chains under a public CA that omit the root. */
    static List<X509Certificate> jvmTrustedRoots() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return List.of(x509.getAcceptedIssuers());
                }
            }
        } catch (GeneralSecurityException e) {
            // without the JVM's roots a chain simply has to include its own root
        }
        return List.of();
    }
}
