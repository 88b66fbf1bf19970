package io.swarmgate.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS client contexts for connections the appliance opens itself (the SIEM collector): whom to
 * trust, and the client certificate to show a server that requires one. Each part is built on its
 * own so the caller can name the setting a bad file came from.
 */
public final class ClientTls {

    private ClientTls() {
    }

    /** Trust managers whose only anchors are the PEM certificates in {@code pemFile}. */
    public static TrustManager[] trustManagers(Path pemFile) throws PkiException {
        List<X509Certificate> certificates = readCertificates(pemFile);
        try {
            KeyStore trust = emptyStore();
            for (int i = 0; i < certificates.size(); i++) {
                trust.setCertificateEntry("anchor-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot trust the certificates in " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Key managers presenting the client certificate chain in {@code certFile} (the certificate,
     * then its intermediates) with the private key in {@code keyFile}, which must belong to it.
     */
    public static KeyManager[] keyManagers(Path certFile, Path keyFile) throws PkiException {
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key;
        try {
            key = PemFiles.readPrivateKey(keyFile);
        } catch (RuntimeException e) {
            throw new PkiException(e.getMessage(), e);
        }
        if (!belongTogether(key, chain.get(0))) {
            throw new PkiException("the private key in " + keyFile + " does not belong to the certificate "
                    + chain.get(0).getSubjectX500Principal().getName() + " in " + certFile);
        }
        try {
            char[] password = "client".toCharArray();
            KeyStore store = emptyStore();
            store.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot use " + certFile + " and " + keyFile + " as a client certificate: "
                    + e.getMessage(), e);
        }
    }

    /** A TLS context from the parts; null parts: the Java runtime's trusted CAs, no client certificate. */
    public static SSLContext context(KeyManager[] keyManagers, TrustManager[] trustManagers)
            throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, trustManagers, null);
        return context;
    }

    /** The subject of the first certificate in {@code certFile}, for log lines. */
    public static String subject(Path certFile) throws PkiException {
        return readCertificates(certFile).get(0).getSubjectX500Principal().getName();
    }

    private static List<X509Certificate> readCertificates(Path pemFile) throws PkiException {
        List<X509Certificate> certificates;
        try {
            certificates = PemFiles.readCertificates(pemFile);
        } catch (RuntimeException e) {
            throw new PkiException(e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new PkiException(pemFile + " holds no PEM certificate");
        }
        return certificates;
    }

    /** Signs a random challenge with the key and checks it with the certificate's public key. */
    private static boolean belongTogether(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException("an empty key store cannot fail to load", e);
        }
        return store;
    }
}
