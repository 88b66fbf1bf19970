package io.swarmgate.api;

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
 * import of the signed chain, which the running server starts using at once.
 */
public final class CertificateResource {

    /** Days before expiry from which the console warns. */
    static final int WARN_DAYS = 30;

    private final Pki pki;
    private final List<String> hostnames;
    private final Path scratchDir;
    private final Runnable reload;
    private final Clock clock;

    /**
     * @param reload called after a successful import so the listener serves the new chain
     */
    public CertificateResource(Pki pki, List<String> hostnames, DataDirectory dataDir, Runnable reload, Clock clock) {
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
                new Route("GET", "/certificates/csr", Role.ADMIN,
                        r -> ApiResponse.text(pki.csrPem(hostnames), "application/pkcs10", "swarmgate.csr"),
                        "A certificate signing request for the enterprise CA (PEM)", null, "application/pkcs10"),
                new Route("POST", "/certificates", Role.ADMIN, this::importChain,
                        "Install a signed chain (PEM, server certificate first); checked before it replaces the current one",
                        "PEM text", "certificate report"));
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
            throw new ApiException(400, "certificate_rejected", e.getMessage(), "chain", List.of());
        } finally {
            Files.deleteIfExists(file);
        }
        reload.run();
        return view(pki.report());
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
