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

    private static final Schema CERTIFICATE = Schema.object()
            .required("subject", Schema.string().describe("RFC 2253"))
            .required("issuer", Schema.string().describe("RFC 2253"))
            .required("subjectAltNames", Schema.arrayOf(Schema.string()).describe("DNS:name or IP:address"))
            .required("sha256Fingerprint", Schema.string().describe("upper-case hex pairs joined by colons"))
            .required("notBefore", Schema.instant())
            .required("notAfter", Schema.instant())
            .required("serial", Schema.string().describe("upper-case hex"))
            .named("Certificate");
    private static final Schema REPORT = Schema.object()
            .required("ca", CERTIFICATE)
            .required("server", CERTIFICATE)
            .required("chain", Schema.arrayOf(CERTIFICATE).describe("the served chain, server certificate first"))
            .required("serverDaysLeft", Schema.integer())
            .required("expiryWarning", Schema.bool().describe("fewer than " + WARN_DAYS + " days left"))
            .named("CertificateReport");
    /** PEM is ASCII by definition (RFC 7468); anything else is refused before it reaches the parser. */
    private static final String ASCII = "[\\x00-\\x7F]*";

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
                Route.get("/certificates", Role.AUDITOR,
                                "The CA and server certificates: subject, names, fingerprints, expiry", r -> view(pki.report()))
                        .returns(200, "the certificates in use", REPORT),
                Route.get("/certificates/csr", Role.ADMIN, "A certificate signing request for the enterprise CA (PEM)",
                                this::csr)
                        .returnsText("application/pkcs10", "PEM PKCS#10 request, as swarmgate.csr"),
                Route.post("/certificates", Role.ADMIN, "Install a signed chain (PEM, server certificate first);"
                                + " checked before it replaces the current one", this::importChain)
                        .text("application/x-pem-file", "chain", Schema.string().minLength(1).pattern(ASCII)
                                .describe("PEM text (ASCII): the server certificate, then the intermediates")
                                .example("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU...\n-----END CERTIFICATE-----\n"),
                                "the signed chain")
                        .returns(200, "the certificates now in use", REPORT)
                        .fails(400, "the chain does not parse, does not match the appliance's key or names, or does"
                                + " not lead to a trusted CA", "certificate_rejected"));
    }

    private Object csr(ApiRequest r) throws Exception {
        String pem = pki.csrPem(hostnames);
        audit.record(AuditEvent.success(r.actor(), "certificate.csr-created", null).with("hostnames", hostnames));
        return ApiResponse.text(pem, "application/pkcs10", "swarmgate.csr");
    }

    private Object importChain(ApiRequest r) throws Exception {
        String pem = r.body() == null ? "" : r.body();
        if (pem.isBlank()) {
            throw ApiException.badRequest("chain", "send the PEM chain as the request body");
        }
        int nonAscii = firstNonAscii(pem);
        if (nonAscii >= 0) {
            throw ApiException.badRequest("chain", "PEM is ASCII text, but character " + (nonAscii + 1)
                    + " is not (U+" + String.format("%04X", pem.codePointAt(nonAscii)) + ")");
        }
        Path file = Files.createTempFile(scratchDir, "import-", ".pem");
        try {
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
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

    private static int firstNonAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7F) {
                return i;
            }
        }
        return -1;
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
