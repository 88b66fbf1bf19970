package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.SettableClock;
import io.swarmgate.pki.CmsSignatures;
import io.swarmgate.qoe.QoeAggregator;
import io.swarmgate.qoe.QoeReport;
import io.swarmgate.qoe.QoeRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compliance report sums the stored QoE per stream, per site and per both, signed and recorded. */
class ComplianceReportsTest {

    @TempDir
    Path tmp;

    @Test
    void aReportHasEveryStreamAndSiteWithItsFiguresAndASignatureOverTheFile() throws Exception {
        SettableClock clock = SettableClock.at(Instant.parse("2026-11-30T10:00:00Z"));
        try (AuditFixture f = new AuditFixture(tmp.resolve("data"), clock)) {
            QoeAggregator aggregator = new QoeAggregator(new QoeRepository(f.database.dataSource()), clock,
                    new QoeAggregator.Settings(3_600_000, 100_000));
            // Paris watched townhall for an hour, 3/4 of it from peers; Lyon 30 minutes over HTTP with a stall.
            aggregator.accept("townhall", "paris", "p1", new QoeReport(1_000_000, 3_000_000, 0, 0, 0, 3_600_000, 800L,
                    300, new QoeReport.Failures(0, 2, 0, 0, 0, 0)));
            aggregator.accept("townhall", "lyon", "l1", new QoeReport(2_000_000, 0, 0, 1, 1_800, 1_800_000, 900L, 300,
                    QoeReport.Failures.NONE));
            aggregator.accept("weekly", "paris", "p2", new QoeReport(500_000, 500_000, 0, 0, 0, 600_000, null, 300,
                    QoeReport.Failures.NONE));
            aggregator.flush();
            aggregator.close();
            clock.advance(Duration.ofHours(2));

            Path json = tmp.resolve("report.json");
            ComplianceReports.Report report = f.audit.reports().write(Actor.cli("auditor"),
                    Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"),
                    ExportFormat.JSON, json);
            JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
            assertEquals(1 + 2 + 2 + 3, rows.size(), rows.toString());
            assertEquals(report.rows(), rows.size());
            JsonNode overall = rows.get(0);
            assertEquals("overall", overall.get("scope").asText());
            assertEquals(1.67, overall.get("hoursWatched").asDouble(), 0.001);
            assertEquals(3_500_000, overall.get("wanBytesSaved").asLong());
            assertEquals(2, overall.get("integrityFailures").asLong());
            // p1 and l1 reported a start-up time; p2 never started playing.
            assertEquals(2, overall.get("playbackStarts").asLong());
            JsonNode parisTownhall = find(rows, "stream-site", "townhall", "paris");
            assertEquals(0.75, parisTownhall.get("p2pShare").asDouble(), 1e-9);
            assertEquals(1.0, parisTownhall.get("hoursWatched").asDouble(), 1e-9);
            JsonNode lyon = find(rows, "site", null, "lyon");
            assertEquals(0.001, lyon.get("rebufferRatio").asDouble(), 1e-9);
            assertEquals(0.0, lyon.get("p2pShare").asDouble(), 1e-9);

            CmsSignatures signatures = new CmsSignatures(f.trusted());
            signatures.verify(Files.readAllBytes(report.signature()), json);
            assertEquals("report.created", f.audit.log().page(AuditLog.Filter.ALL, null, 1).get(0).action());

            Path csv = tmp.resolve("report.csv");
            ComplianceReports.Report inCsv = f.audit.reports().write(Actor.cli("auditor"),
                    Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"),
                    ExportFormat.CSV, csv);
            List<String> lines = Files.readAllLines(csv);
            assertTrue(lines.get(0).startsWith("scope,stream,site,viewers_avg"), lines.get(0));
            // One viewer-minute in a day is 0.0007 viewers on average; peaks are kept for the overall row only.
            assertTrue(lines.contains("stream-site,townhall,paris,0.0007,,1,1,0.75,3000000,1000000,0,0,2"),
                    String.join("\n", lines));
            signatures.verify(Files.readAllBytes(inCsv.signature()), csv);

            assertThrows(IllegalArgumentException.class, () -> f.audit.reports().write(Actor.cli("auditor"),
                    Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-11-30T00:00:00Z"),
                    ExportFormat.JSON, json));
        }
    }

    private static JsonNode find(JsonNode rows, String scope, String stream, String site) {
        for (JsonNode r : rows) {
            if (r.get("scope").asText().equals(scope) && r.get("stream").asText(null) == null == (stream == null)
                    && (stream == null || stream.equals(r.get("stream").asText()))
                    && (site == null || site.equals(r.get("site").asText()))) {
                return r;
            }
        }
        throw new AssertionError("no " + scope + " row for " + stream + "/" + site + " in " + rows);
    }
}
