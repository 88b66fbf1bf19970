package io.swarmgate.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What an administrator needs to know about one certificate, without the certificate itself.
 *
 * @param subject           subject DN in RFC 2253 form
 * @param issuer            issuer DN in RFC 2253 form
 * @param subjectAltNames   SANs as {@code DNS:name} or {@code IP:address}, in certificate order
 * @param sha256Fingerprint SHA-256 of the DER encoding, upper-case hex pairs joined by colons
 * @param notBefore         start of validity
 * @param notAfter          end of validity
 * @param serial            serial number in upper-case hex
 */
public record CertInfo(String subject, String issuer, List<String> subjectAltNames, String sha256Fingerprint,
                       Instant notBefore, Instant notAfter, String serial) {

    // GeneralName tags as returned by X509Certificate.getSubjectAlternativeNames().
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    public CertInfo {
        subjectAltNames = List.copyOf(subjectAltNames);
    }

    /** Whole days until {@link #notAfter()}; negative once expired. */
    public long daysLeft(Clock clock) {
        return Duration.between(clock.instant(), notAfter).toDays();
    }

    /** Whether the certificate is valid at the clock's current instant. */
    public boolean validNow(Clock clock) {
        Instant now = clock.instant();
        return !now.isBefore(notBefore) && !now.isAfter(notAfter);
    }

    static CertInfo of(X509Certificate cert) {
        return new CertInfo(
                cert.getSubjectX500Principal().getName(),
                cert.getIssuerX500Principal().getName(),
                subjectAltNames(cert),
                fingerprint(cert),
                cert.getNotBefore().toInstant(),
                cert.getNotAfter().toInstant(),
                cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT));
    }

    static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            // SHA-256 is mandatory in every JDK and the certificate was parsed from DER.
            throw new IllegalStateException("cannot fingerprint " + cert.getSubjectX500Principal(), e);
        }
    }

    private static List<String> subjectAltNames(X509Certificate cert) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (List<?> name : names) {
            int tag = (Integer) name.get(0);
            if (tag == SAN_DNS) {
                out.add("DNS:" + name.get(1));
            } else if (tag == SAN_IP) {
                out.add("IP:" + name.get(1));
            }
        }
        return out;
    }
}
