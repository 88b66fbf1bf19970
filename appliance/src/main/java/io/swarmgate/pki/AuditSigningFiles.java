package io.swarmgate.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit-signing key and certificate in the PKI directory: {@code audit-signing.key},
 * {@code audit-signing.crt} (the certificate, then its issuers) and {@code audit-ca.crt}, the
 * enterprise roots audit-signing certificates were imported under (kept, never removed, so
 * checkpoints signed before a renewal still verify against the data directory alone).
 *
 * <p>The appliance CA issues the certificate when none exists. An administrator may replace it by
 * one from the enterprise CA: {@link #csrPem} asks for it with the existing key, {@link #importChain}
 * checks and installs it. Signatures pick up the installed certificate at their next use, because
 * {@link #current} reads the files every time; every file is replaced by an atomic rename, so a
 * signature never sees a certificate without its key or a chain without its root.
 */
final class AuditSigningFiles {

    private static final Logger LOG = LoggerFactory.getLogger(AuditSigningFiles.class);

    private final Path dir;
    private final Clock clock;
    private final CertificateIssuer issuer;

    AuditSigningFiles(Path dir, Clock clock, CertificateIssuer issuer) {
        this.dir = dir;
        this.clock = clock;
        this.issuer = issuer;
    }

    Path keyFile() {
        return dir.resolve("audit-signing.key");
    }

    Path certificateFile() {
        return dir.resolve("audit-signing.crt");
    }

    Path enterpriseRootsFile() {
        return dir.resolve("audit-ca.crt");
    }

    /**
     * The key and certificate chain, issued by the appliance CA when missing or no longer valid
     * (with a new key; old signatures stay checkable because their certificate travels inside them).
     * An expired enterprise certificate is replaced the same way, with a warning, so the audit log
     * never stops signing.
     */
    synchronized AuditSigning current(Supplier<X509Certificate> caCertificate, Supplier<PrivateKey> caKey) {
        List<X509Certificate> chain = Files.isRegularFile(keyFile()) && Files.isRegularFile(certificateFile())
                ? PemFiles.readCertificates(certificateFile()) : List.of();
        if (!chain.isEmpty() && chain.get(0).getNotAfter().toInstant().isAfter(clock.instant())) {
            return new AuditSigning(PemFiles.readPrivateKey(keyFile()), chain);
        }
        // The CA is read only to issue a certificate, not for every signature.
        X509Certificate caCert = caCertificate.get();
        if (!chain.isEmpty() && !chain.get(0).getIssuerX500Principal().equals(caCert.getSubjectX500Principal())) {
            LOG.warn("pki - the enterprise audit-signing certificate {} expired on {}; signing with a new key"
                    + " under the appliance CA until a new one is imported ('swarmgate cert csr --audit-signing')",
                    chain.get(0).getSubjectX500Principal().getName(), chain.get(0).getNotAfter().toInstant());
        }
        KeyPair pair = issuer.newKeyPair();
        X509Certificate cert = issuer.issueAuditSigning(pair.getPublic(),
                SubjectNames.machineHostname(SubjectNames.machineHostnames()), caCert, caKey.get());
        // Key before certificate, as for the CA: a certificate is never found without its key.
        Pki.write(keyFile(), PemFiles.encode(pair.getPrivate()));
        Pki.write(certificateFile(), PemFiles.encode(List.of(cert, caCert)));
        LOG.info("pki - created audit-signing certificate {} valid until {}", cert.getSubjectX500Principal().getName(),
                cert.getNotAfter().toInstant());
        return new AuditSigning(pair.getPrivate(), List.of(cert, caCert));
    }

    /**
     * A PEM PKCS#10 request for the enterprise CA, signed with the current audit-signing key, so
     * the certificate it returns can be imported while the appliance keeps signing with that key.
     */
    synchronized String csrPem(Supplier<X509Certificate> caCert, Supplier<PrivateKey> caKey) {
        PrivateKey key = current(caCert, caKey).key();
        try {
            String pem = PemFiles.encode("CERTIFICATE REQUEST", issuer.auditSigningCsr(key, issuer.publicKeyOf(key),
                    SubjectNames.machineHostname(SubjectNames.machineHostnames())).getEncoded());
            LOG.info("pki - created audit-signing CSR");
            return pem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs the chain the enterprise CA issued for {@link #csrPem}: the certificate first, then
     * the intermediates and the root. It must carry the audit-signing key, be valid now at every
     * link, allow document signing, and link up to a self-signed root in the file or one imported
     * before (or the appliance CA). The root joins {@code audit-ca.crt} before the certificate
     * replaces {@code audit-signing.crt}; on failure nothing changes.
     *
     * @return the installed chain, certificate first
     * @throws PkiException with the reason the chain was refused
     */
    synchronized List<X509Certificate> importChain(String pemText, X509Certificate caCert)
            throws PkiException {
        List<X509Certificate> offered = PemFiles.parseCertificates(pemText);
        if (!Files.isRegularFile(keyFile())) {
            throw new PkiException("there is no audit-signing key yet; run 'swarmgate cert csr --audit-signing' and"
                    + " have the enterprise CA sign that request");
        }
        PrivateKey key = PemFiles.readPrivateKey(keyFile());
        List<X509Certificate> known = new ArrayList<>(enterpriseRoots());
        known.add(caCert);
        List<X509Certificate> chain = new ChainValidator(issuer.publicKeyOf(key), known, clock,
                ChainValidator.Use.AUDIT_SIGNING).validate(offered);
        List<X509Certificate> roots = new ArrayList<>(enterpriseRoots());
        for (X509Certificate c : chain) {
            if (ChainValidator.isSelfSigned(c) && !roots.contains(c)) {
                roots.add(c);
            }
        }
        if (!roots.isEmpty()) {
            Pki.write(enterpriseRootsFile(), PemFiles.encode(roots));
        }
        Pki.write(certificateFile(), PemFiles.encode(chain));
        X509Certificate leaf = chain.get(0);
        LOG.info("pki - imported audit-signing certificate {} issued by {} valid until {} ({} certificates in chain)",
                leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(),
                leaf.getNotAfter().toInstant(), chain.size());
        return chain;
    }

    /** The enterprise roots imported so far; empty when none was. */
    List<X509Certificate> enterpriseRoots() {
        if (!Files.isRegularFile(enterpriseRootsFile())) {
            return List.of();
        }
        try {
            return PemFiles.parseCertificates(Files.readString(enterpriseRootsFile(), StandardCharsets.US_ASCII));
        } catch (IOException | PkiException e) {
            throw new IllegalStateException("cannot read " + enterpriseRootsFile() + ": " + e.getMessage()
                    + "; restore it from a backup", e);
        }
    }
}
