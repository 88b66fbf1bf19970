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
 * Decides whether a chain handed in by an administrator may replace the server certificate. The
 * checks are the ones a TLS client would make and fail on later, run now so the administrator
 * sees the reason at import time instead of every browser showing a warning afterwards.
 */
final class ChainValidator {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EKU = "2.5.29.37.0";

    private final PublicKey serverKey;
    private final List<X509Certificate> knownIssuers;
    private final Clock clock;

    /**
     * @param serverKey    the public half of {@code server.key}; the leaf must carry exactly this key
     * @param knownIssuers certificates a chain may end under without including them (the appliance
     *                     CA and the JVM's trusted roots)
     */
    ChainValidator(PublicKey serverKey, List<X509Certificate> knownIssuers, Clock clock) {
        this.serverKey = serverKey;
        this.knownIssuers = List.copyOf(knownIssuers);
        this.clock = clock;
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
        if (!sameKey(leaf.getPublicKey(), serverKey)) {
            throw new PkiException("the certificate's public key does not match this appliance's private key"
                    + " (the CSR from 'swarmgate cert csr' must be signed)");
        }
        List<X509Certificate> path = buildPath(leaf, certs.subList(1, certs.size()));
        for (X509Certificate cert : path) {
            checkValidNow(cert);
        }
        checkServerAuth(leaf);
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
                    + "'); append the intermediate CA certificates after the server certificate");
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

    private static boolean isSelfSigned(X509Certificate cert) {
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
