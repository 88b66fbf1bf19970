package io.swarmgate.pki;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The appliance's certificates as {@code swarmgate cert show} and the console present them.
 *
 * @param ca     the appliance CA (always the appliance's own, even after an enterprise chain was imported)
 * @param server the certificate the appliance serves over HTTPS
 * @param chain  everything in {@code server.crt}, leaf first
 */
public record CertificateReport(CertInfo ca, CertInfo server, List<CertInfo> chain) {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    public CertificateReport {
        chain = List.copyOf(chain);
    }

    /** Human-readable text block, one section per certificate, days left computed from the system clock. */
    public String format() {
        return format(Clock.systemUTC());
    }

    /** As {@link #format()}, with days left computed against {@code clock}. */
    public String format(Clock clock) {
        StringBuilder out = new StringBuilder();
        section(out, "Server certificate", server, clock);
        for (int i = 1; i < chain.size(); i++) {
            section(out, "Chain certificate " + i, chain.get(i), clock);
        }
        section(out, "Appliance CA (ca.crt)", ca, clock);
        return out.toString();
    }

    private static void section(StringBuilder out, String title, CertInfo cert, Clock clock) {
        if (out.length() > 0) {
            out.append('\n');
        }
        out.append(title).append('\n');
        line(out, "Subject", cert.subject());
        line(out, "Issuer", cert.issuer());
        if (!cert.subjectAltNames().isEmpty()) {
            line(out, "Names", String.join(", ", cert.subjectAltNames()));
        }
        line(out, "Serial", cert.serial());
        line(out, "SHA-256", cert.sha256Fingerprint());
        line(out, "Valid from", DATE.format(cert.notBefore()));
        long days = cert.daysLeft(clock);
        String state = !cert.validNow(clock) ? (days < 0 ? "EXPIRED" : "NOT YET VALID") : days + " days left";
        line(out, "Valid until", DATE.format(cert.notAfter()) + " (" + state + ")");
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append("  ").append(String.format("%-13s", label + ':')).append(value).append('\n');
    }
}
