package io.swarmgate.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context for {@code --ca}: trusts only the PEM certificates in the file, such as the
 * appliance's {@code pki/ca.crt}. The appliance has the same helper ({@code pki.TrustAnchors}),
 * but it reads PEM through BouncyCastle; the JDK's X.509 factory reads a certificate file just as
 * well, so the tool carries no product classes and no BouncyCastle in its jar.
 */
final class CaTrust {

    private CaTrust() {
    }

    /** A client context whose only trust anchors are the PEM certificates in {@code pemFile}. */
    static SSLContext clientContext(Path pemFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pemFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(pemFile + " holds no PEM certificate");
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            trust.setCertificateEntry("anchor-" + i++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
