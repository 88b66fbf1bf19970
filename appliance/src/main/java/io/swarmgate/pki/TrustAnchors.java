package io.swarmgate.pki;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;

/** TLS client contexts that trust only given certificates, such as the appliance's {@code pki/ca.crt}. */
public final class TrustAnchors {

    private TrustAnchors() {
    }

    /** A client context whose only trust anchors are the PEM certificates in {@code pemFile}. */
    public static SSLContext clientContext(Path pemFile) throws GeneralSecurityException {
        try {
            return ClientTls.context(null, ClientTls.trustManagers(pemFile));
        } catch (PkiException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
