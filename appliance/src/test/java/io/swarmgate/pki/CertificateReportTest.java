package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateReportTest {

    @TempDir
    Path dir;

    @Test
    void reportDescribesCaServerAndChainWithColonFingerprintsAndNames() throws Exception {
        Pki pki = Pki.at(dir);
        pki.initialize(List.of("video.corp.example", "10.4.4.4"));
        X509Certificate leaf = PemFiles.readCertificates(dir.resolve("server.crt")).get(0);

        CertificateReport report = pki.report();

        assertEquals(2, report.chain().size());
        assertEquals(report.server(), report.chain().get(0));
        assertEquals(report.ca(), report.chain().get(1));
        assertTrue(report.server().sha256Fingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"),
                report.server().sha256Fingerprint());
        assertEquals(CertInfo.fingerprint(leaf), report.server().sha256Fingerprint());
        assertTrue(report.server().subjectAltNames().containsAll(List.of("DNS:video.corp.example", "IP:10.4.4.4",
                "DNS:localhost", "IP:127.0.0.1")), report.server().subjectAltNames().toString());
        assertEquals(leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT), report.server().serial());
        assertEquals("CN=video.corp.example", report.server().subject());

        String text = report.format();
        assertTrue(text.contains(report.server().sha256Fingerprint()), text);
        assertTrue(text.contains(report.ca().sha256Fingerprint()), text);
        assertTrue(text.contains("DNS:video.corp.example, IP:10.4.4.4"), text);
        assertTrue(text.contains("Appliance CA"), text);
        assertTrue(!text.contains("PRIVATE"), "no key material in the report");
    }

    @Test
    void daysLeftCountsWholeDaysAndGoesNegativeOnceExpired() {
        Instant notAfter = Instant.parse("2030-01-31T00:00:00Z");
        CertInfo info = new CertInfo("CN=x", "CN=y", List.of(), "AA", notAfter.minus(Duration.ofDays(100)), notAfter, "1");

        assertEquals(30, info.daysLeft(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC)));
        assertEquals(-2, info.daysLeft(Clock.fixed(Instant.parse("2030-02-02T00:00:00Z"), ZoneOffset.UTC)));
        String expired = new CertificateReport(info, info, List.of(info))
                .format(Clock.fixed(Instant.parse("2030-02-02T00:00:00Z"), ZoneOffset.UTC));
        assertTrue(expired.contains("EXPIRED"), expired);
    }
}
