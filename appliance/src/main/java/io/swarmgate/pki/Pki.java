package io.swarmgate.pki;

import io.swarmgate.config.ConfigException;
import io.swarmgate.store.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's own PKI in {@code <data-dir>/pki}: a local CA, the HTTPS server key and its
 * certificate chain, a CSR for an enterprise CA, and the import of the chain that CA returns.
 *
 * <p>Files, all PEM: {@code ca.crt}, {@code ca.key}, {@code server.key} (PKCS#8) and
 * {@code server.crt} (leaf first, then its issuers), and {@code audit-signing.key},
 * {@code audit-signing.crt} and {@code audit-ca.crt} ({@link AuditSigningFiles}). Every file is written
 * owner-only through a temporary file and an atomic rename, so a crash never leaves a
 * half-written key or chain. The directory itself is created by {@link DataDirectory#create()}.
 *
 * <p>Not thread-safe for concurrent writers; the CLI and the server never modify the PKI at the
 * same time.
 */
public final class Pki {

    private static final Logger LOG = LoggerFactory.getLogger(Pki.class);
    static final String KEYSTORE_ALIAS = "server";

    private final Path dir;
    private final Clock clock;
    private final CertificateIssuer issuer;
    private final char[] keyStorePassword;
    private final AuditSigningFiles auditFiles;

    private Pki(Path dir, Clock clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.clock = clock;
        this.issuer = new CertificateIssuer(clock);
        this.auditFiles = new AuditSigningFiles(this.dir, clock, issuer);
        this.keyStorePassword = randomPassword();
    }

    /** The PKI in {@code pkiDir} (normally {@code <data-dir>/pki}); creates nothing. */
    public static Pki at(Path pkiDir) {
        return new Pki(pkiDir, Clock.systemUTC());
    }

    /** As {@link #at(Path)}, with validity checks and new certificates dated by {@code clock}. */
    static Pki at(Path pkiDir, Clock clock) {
        return new Pki(pkiDir, clock);
    }

    /** Whether the CA and the server key and certificate are all present. */
    public boolean isInitialized() {
        return Stream.of(caCertificateFile(), caKeyFile(), serverKeyFile(), serverCertificateFile())
                .allMatch(Files::isRegularFile);
    }

    /**
     * Creates the appliance CA and a server certificate if missing. A missing CA is created along
     * with a new server key and certificate, because a certificate from a lost CA can never be
     * renewed; an existing CA is reused for a missing server certificate. Idempotent.
     *
     * <p>A new CA is limited by name constraints to the names of its first server certificate
     * ({@link CaConstraints}). A server certificate issued later under an existing CA must stay
     * within that CA's constraints: machine names outside them are left out with a warning, and an
     * extra host name outside them stops with a {@link ConfigException} for
     * {@code server.hostnames}, because browsers would refuse the certificate.
     *
     * @param extraHostnames DNS names or IP literals the server certificate must also carry; the
     *                       first becomes its CN
     * @return true if anything was created
     * @throws IllegalArgumentException if an extra host name is neither a DNS name nor an IP
     * @throws ConfigException          if an extra host name lies outside the existing CA's name
     *                                  constraints; nothing is written then
     */
    public boolean initialize(List<String> extraHostnames) {
        List<String> machineNames = SubjectNames.machineHostnames();
        SubjectNames names = SubjectNames.of(extraHostnames, machineNames);
        boolean newCa = !Files.isRegularFile(caCertificateFile()) || !Files.isRegularFile(caKeyFile());
        boolean newServer = newCa || !Files.isRegularFile(serverKeyFile())
                || !Files.isRegularFile(serverCertificateFile());
        if (!newServer) {
            return false;
        }
        X509Certificate caCert;
        PrivateKey caKey;
        if (newCa) {
            KeyPair ca = issuer.newKeyPair();
            caCert = issuer.issueCa(ca, SubjectNames.machineHostname(machineNames), CaConstraints.forServer(names));
            caKey = ca.getPrivate();
            // Key before certificate: isInitialized() must never see a certificate without its key.
            write(caKeyFile(), PemFiles.encode(caKey));
            write(caCertificateFile(), PemFiles.encode(List.of(caCert)));
            LOG.info("pki - created appliance CA {} valid until {}", caCert.getSubjectX500Principal().getName(),
                    caCert.getNotAfter().toInstant());
        } else {
            caCert = firstCertificate(caCertificateFile());
            names = withinConstraints(CaConstraints.of(caCert), extraHostnames, machineNames, names);
            caKey = PemFiles.readPrivateKey(caKeyFile());
        }
        KeyPair server = issuer.newKeyPair();
        X509Certificate serverCert = issuer.issueServer(server.getPublic(), names, caCert, caKey);
        write(serverKeyFile(), PemFiles.encode(server.getPrivate()));
        write(serverCertificateFile(), PemFiles.encode(List.of(serverCert, caCert)));
        LOG.info("pki - created server certificate {} for {} valid until {}",
                serverCert.getSubjectX500Principal().getName(), CertInfo.of(serverCert).subjectAltNames(),
                serverCert.getNotAfter().toInstant());
        return true;
    }

    /**
     * The names for a server certificate under a CA with {@code constraints} (null: none, all
     * names stay). Checked before anything is written, so a refused start leaves the PKI as it was.
     */
    private SubjectNames withinConstraints(CaConstraints constraints, List<String> extraHostnames,
            List<String> machineNames, SubjectNames names) {
        if (constraints == null) {
            return names;
        }
        List<String> outside = extraHostnames.stream()
                .filter(name -> !constraints.permits(SubjectNames.parse(name))).toList();
        if (!outside.isEmpty()) {
            throw new ConfigException("server.hostnames", String.join(", ", outside)
                    + (outside.size() == 1 ? " is" : " are") + " outside the name constraints of the appliance CA "
                    + caCertificateFile() + " (it may only certify " + String.join(", ", constraints.permittedText())
                    + "); browsers would reject the server certificate. Either re-create the appliance CA: stop"
                    + " the appliance, move " + dir + " aside, run 'swarmgate init' and distribute the new ca.crt;"
                    + " or have the enterprise CA issue the certificate ('swarmgate cert csr', then 'swarmgate cert"
                    + " import'), or remove the name from server.hostnames. See docs/security.md.");
        }
        List<String> keptMachineNames = new ArrayList<>();
        for (String name : machineNames) {
            GeneralName parsed = SubjectNames.parse(name);
            if (parsed != null && !constraints.permits(parsed)) {
                LOG.warn("pki - leaving the machine host name '{}' out of the server certificate: it is outside the"
                        + " appliance CA's name constraints (re-create the CA to include it)", name);
                continue;
            }
            keptMachineNames.add(name);
        }
        return SubjectNames.of(extraHostnames, keptMachineNames);
    }

    /**
     * The audit-signing key and certificate chain ({@link AuditSigningFiles}): issued by the
     * appliance CA when missing or expired, or the one imported from the enterprise CA.
     *
     * @throws IllegalStateException if the PKI has no CA
     */
    public AuditSigning auditSigning() {
        requireCa();
        return auditFiles.current(() -> firstCertificate(caCertificateFile()), () -> PemFiles.readPrivateKey(caKeyFile()));
    }

    /**
     * A PEM PKCS#10 request for an audit-signing certificate from the enterprise CA, signed with
     * the current audit-signing key (created first if the audit log has not signed anything yet).
     */
    public String auditSigningCsrPem() {
        requireCa();
        return auditFiles.csrPem(() -> firstCertificate(caCertificateFile()), () -> PemFiles.readPrivateKey(caKeyFile()));
    }

    /**
     * Installs the audit-signing chain the enterprise CA issued for {@link #auditSigningCsrPem}
     * (PEM: the certificate, then the intermediates and the root). Checked first: it must match the
     * key, be valid now, allow document signing and link up to its root; on failure nothing changes.
     * The next checkpoint, export or report is signed with it and carries the chain.
     *
     * @return the installed certificate
     * @throws PkiException with the reason the chain was refused
     */
    public CertInfo importAuditSigningChain(Path pemFile) throws PkiException {
        requireCa();
        return CertInfo.of(auditFiles.importChain(readChain(pemFile), firstCertificate(caCertificateFile())).get(0));
    }

    /**
     * The CA certificates audit signatures of this appliance chain to: {@code ca.crt} and, once an
     * enterprise audit-signing certificate was imported, {@code audit-ca.crt} with its roots.
     */
    public List<Path> auditTrustFiles() {
        return Files.isRegularFile(auditFiles.enterpriseRootsFile())
                ? List.of(caCertificateFile(), auditFiles.enterpriseRootsFile()) : List.of(caCertificateFile());
    }

    /** {@code <pki>/audit-signing.crt}: the audit-signing certificate, then its issuers. */
    public Path auditCertificateFile() {
        return auditFiles.certificateFile();
    }

    private void requireCa() {
        if (!Files.isRegularFile(caCertificateFile()) || !Files.isRegularFile(caKeyFile())) {
            throw new IllegalStateException("the PKI in " + dir + " has no CA; run 'swarmgate init' first");
        }
    }

    /** {@code <pki>/ca.crt}: the certificate administrators distribute to clients. */
    public Path caCertificateFile() {
        return dir.resolve("ca.crt");
    }

    Path caKeyFile() {
        return dir.resolve("ca.key");
    }

    Path serverKeyFile() {
        return dir.resolve("server.key");
    }

    Path serverCertificateFile() {
        return dir.resolve("server.crt");
    }

    /**
     * A fresh in-memory PKCS12 key store holding, under alias {@code "server"}, the server private
     * key and the chain from {@code server.crt}; protected by {@link #keyStorePassword()}. Read from
     * disk on every call, so a server started after {@link #importChain} serves the new chain.
     *
     * @throws IllegalStateException if the PKI is not initialized or its files are unusable
     */
    public KeyStore serverKeyStore() {
        requireInitialized();
        PrivateKey key = PemFiles.readPrivateKey(serverKeyFile());
        List<X509Certificate> chain = PemFiles.readCertificates(serverCertificateFile());
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(KEYSTORE_ALIAS, key, keyStorePassword.clone(), chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the server key store from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Password of the stores {@link #serverKeyStore()} returns; random for each {@code Pki} instance. */
    public char[] keyStorePassword() {
        return keyStorePassword.clone();
    }

    /** The CA, the server certificate and its chain as currently on disk. */
    public CertificateReport report() {
        requireInitialized();
        X509Certificate ca = firstCertificate(caCertificateFile());
        firstCertificate(serverCertificateFile());
        List<CertInfo> chain = PemFiles.readCertificates(serverCertificateFile()).stream().map(CertInfo::of).toList();
        return new CertificateReport(CertInfo.of(ca), chain.get(0), chain);
    }

    /**
     * A PEM PKCS#10 request for an enterprise CA, signed with the existing server key (so the
     * returned certificate can be imported without restarting key management). It asks for the
     * extra names, then the names in the current server certificate, then the machine's names and
     * loopback, so running it without arguments keeps every name the appliance already serves.
     *
     * @throws IllegalArgumentException if an extra host name is neither a DNS name nor an IP
     */
    public String csrPem(List<String> extraHostnames) {
        requireInitialized();
        List<String> requested = new ArrayList<>(extraHostnames);
        requested.addAll(CertInfo.of(firstCertificate(serverCertificateFile())).subjectAltNames()
                .stream().map(san -> san.substring(san.indexOf(':') + 1)).toList());
        SubjectNames names = SubjectNames.of(requested, SubjectNames.machineHostnames());
        PrivateKey key = PemFiles.readPrivateKey(serverKeyFile());
        try {
            String pem = PemFiles.encode("CERTIFICATE REQUEST",
                    issuer.csr(key, issuer.publicKeyOf(key), names).getEncoded());
            LOG.info("pki - created CSR for {} ({} names)", names.commonName(), names.names().size());
            return pem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Installs the chain an enterprise CA issued for {@link #csrPem}: a PEM file with the server
     * certificate first, then intermediates, optionally the root. The chain must carry this
     * appliance's key, be complete up to a self-signed root, the appliance CA or a root the JVM
     * trusts, be valid now at every link, and allow TLS server use. On success {@code server.crt}
     * is replaced atomically; on failure it is left untouched.
     *
     * @throws PkiException with the reason the chain was refused
     */
    public void importChain(Path pemFile) throws PkiException {
        requireInitialized();
        String text = readChain(pemFile);
        List<X509Certificate> known = new ArrayList<>(PemFiles.readCertificates(caCertificateFile()));
        known.addAll(ChainValidator.jvmTrustedRoots());
        ChainValidator validator = new ChainValidator(
                issuer.publicKeyOf(PemFiles.readPrivateKey(serverKeyFile())), known, clock, ChainValidator.Use.TLS_SERVER);
        List<X509Certificate> chain = validator.validate(PemFiles.parseCertificates(text));
        write(serverCertificateFile(), PemFiles.encode(chain));
        CertInfo leaf = CertInfo.of(chain.get(0));
        LOG.info("pki - imported server certificate {} issued by {} valid until {} ({} certificates in chain)",
                leaf.subject(), leaf.issuer(), leaf.notAfter(), chain.size());
    }

    private static String readChain(Path pemFile) throws PkiException {
        try {
            return Files.readString(pemFile, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new PkiException("cannot read " + pemFile + ": " + e.getMessage(), e);
        }
    }

    private void requireInitialized() {
        if (!isInitialized()) {
            throw new IllegalStateException("the PKI in " + dir + " is not initialized; run 'swarmgate init' first");
        }
    }

    static X509Certificate firstCertificate(Path file) {
        List<X509Certificate> certs = PemFiles.readCertificates(file);
        if (certs.isEmpty()) {
            throw new IllegalStateException(file + " holds no certificate; restore it from a backup");
        }
        return certs.get(0);
    }

    static void write(Path file, String pem) {
        DataDirectory.writePrivateFile(file, pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static char[] randomPassword() {
        SecureRandom random = new SecureRandom();
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        char[] password = new char[24];
        for (int i = 0; i < password.length; i++) {
            password[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return password;
    }
}
