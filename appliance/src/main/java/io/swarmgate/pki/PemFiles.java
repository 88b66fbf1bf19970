package io.swarmgate.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM encoding and decoding of the PKI files. Keys and certificates are always handed back as JDK
 * objects (SunEC), so the TLS stack and {@code KeyStore} never depend on the BouncyCastle provider.
 */
final class PemFiles {

    private PemFiles() {
    }

    static String encode(List<X509Certificate> certs) {
        StringWriter out = new StringWriter();
        try (PemWriter pem = new PemWriter(out)) {
            for (X509Certificate cert : certs) {
                pem.writeObject(new PemObject("CERTIFICATE", cert.getEncoded()));
            }
        } catch (IOException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot PEM-encode certificate", e);
        }
        return out.toString();
    }

    /** Unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}); the file's permissions are its protection. */
    static String encode(PrivateKey key) {
        return encode("PRIVATE KEY", key.getEncoded());
    }

    static String encode(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter pem = new PemWriter(out)) {
            pem.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Certificates in file order; other PEM objects are skipped. Throws {@link PkiException} on parse errors. */
    static List<X509Certificate> parseCertificates(String pemText) throws PkiException {
        List<X509Certificate> certs = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pemText))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    certs.add(toJdk(holder.getEncoded()));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            // PEMParser reports bad base64 and bad DER as IOException or as runtime exceptions.
            throw new PkiException("cannot parse the certificate file: " + firstLine(e), e);
        }
        return certs;
    }

    static List<X509Certificate> readCertificates(Path file) {
        try {
            return parseCertificates(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (PkiException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }

    static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                // Tolerate a key an administrator converted to "BEGIN EC PRIVATE KEY" with openssl.
                return converter.getKeyPair(pair).getPrivate();
            }
            // Deliberately no content in the message: this file holds key material.
            throw new IllegalStateException(file + " does not hold an unencrypted PEM private key");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read private key " + file + ": " + e.getMessage(), e);
        }
    }

    static X509Certificate toJdk(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
