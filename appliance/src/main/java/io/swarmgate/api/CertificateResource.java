package io.swarmgate.api;

import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.audit.Outcome;
import io.swarmgate.console.Role;
import io.swarmgate.pki.CertificateReport;
import io.swarmgate.pki.Pki;
import io.swarmgate.pki.PkiException;
import io.swarmgate.store.DataDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /certificates}: the TLS certificate (show), a CSR for the enterprise CA, and checked
 * import of the signed chain, which the running server starts using at once. The PKI lives in
 * files, not in the database, so a CSR or an import is recorded in the audit log right after the
 * files were written: a crash in between leaves the change without its entry, which
 * {@code cert show} and the certificate's dates still reveal.
 */
public final class CertificateResource {

    /** Days before expiry from which the console warns. */
    static final int WARN_DAYS = 30;

    private final Pki pki;
    private final List<String> hostnames;
    private final Path scratchDir;
    private final Runnable reload;
    private final Clock clock;
    private final AuditLog audit;

    /**
     * @param reload called after a successful import so the listener serves the new chain
     */
    public CertificateResource(Pki pki, List<String> hostnames, DataDirectory dataDir, Runnable reload, Clock clock,
                               AuditLog audit) {
        this.audit = audit;
        this.pki = pki;
        this.hostnames = hostnames;
        this.scratchDir = dataDir.pkiDir();
        this.reload = reload;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/certificates", Role.AUDITOR, r -> view(pki.report()),
                        "The CA and server certificates: subject, names, fingerprints, expiry", null, "certificate report"),
                new Route("GET", "/certificates/csr", Role.ADMIN, this::csr,
                        "A certificate signing request for the enterprise CA (PEM)", null, "application/pkcs10"),
                new Route("POST", "/certificates", Role.ADMIN, this::importChain,
                        "Install a signed chain (PEM, server certificate first); checked before it replaces the current one",
                        "PEM text", "certificate report"));
    }

    private Object csr(ApiRequest r) throws Exception {
        String pem = pki.csrPem(hostnames);
        audit.record(AuditEvent.success(r.actor(), "certificate.csr-created", null).with("hostnames", hostnames));
        return ApiResponse.text(pem, "application/pkcs10", "swarmgate.csr");
    }

    private Object importChain(ApiRequest r) throws Exception {
        if (r.body() == null || r.body().isBlank()) {
            throw ApiException.badRequest("chain", "send the PEM chain as the request body");
        }
        Path file = Files.createTempFile(scratchDir, "import-", ".pem");
        try {
            Files.writeString(file, r.body(), StandardCharsets.US_ASCII);
            pki.importChain(file);
        } catch (PkiException e) {
            audit.record(AuditEvent.of(r.actor(), "certificate.imported", null, Outcome.FAILURE)
                    .with("reason", e.getMessage()));
            throw new ApiException(400, "certificate_rejected", e.getMessage(), "chain", List.of());
        } finally {
            Files.deleteIfExists(file);
        }
        reload.run();
        CertificateReport report = pki.report();
        audit.record(AuditEvent.success(r.actor(), "certificate.imported", report.server().subject())
                .with("issuer", report.server().issuer()).with("sha256", report.server().sha256Fingerprint())
                .with("notAfter", String.valueOf(report.server().notAfter())));
        return view(report);
    }

    private Map<String, Object> view(CertificateReport report) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ca", report.ca());
        v.put("server", report.server());
        v.put("chain", report.chain());
        long days = report.server().daysLeft(clock);
        v.put("serverDaysLeft", days);
        v.put("expiryWarning", days < WARN_DAYS);
        return v;
    }
}
