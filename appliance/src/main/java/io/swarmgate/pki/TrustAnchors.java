package io.swarmgate.pki;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS client contexts that trust only given certificates, such as the appliance's {@code pki/ca.crt}. */
public final class TrustAnchors {

    private TrustAnchors() {
    }

    /** A client context whose only trust anchors are the PEM certificates in {@code pemFile}. */
    public static SSLContext clientContext(Path pemFile) throws GeneralSecurityException {
        List<X509Certificate> certificates = PemFiles.readCertificates(pemFile);
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(pemFile + " holds no PEM certificate");
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try {
            trust.load(null, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an empty key store cannot fail to load", e);
        }
        for (int i = 0; i < certificates.size(); i++) {
            trust.setCertificateEntry("anchor-" + i, certificates.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
