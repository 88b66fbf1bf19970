package io.swarmgate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.swarmgate.pki.AuditSigning;
import io.swarmgate.qoe.QoeFigures;
import io.swarmgate.qoe.QoeQueries;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Compliance reports for a period: per stream, per site and per stream and site, the viewers
 * (average and peak), the viewer sessions that began playing, hours watched, the share delivered
 * peer to peer, the WAN bytes that saved (P2P bytes: segments that did not cross the link to the
 * origin), rebuffering and integrity failures, from the QoE history. Written as JSON or CSV with a detached CMS signature
 * ({@code FILE.p7s}) made with the audit-signing key, like an audit export, and recorded as
 * {@code report.created}.
 */
public final class ComplianceReports {

    /** The longest period one report covers: the hourly QoE history's default retention. */
    public static final Duration MAX_PERIOD = Duration.ofDays(800);

    /** What was written. */
    public record Report(Path file, Path signature, Instant from, Instant to, int rows, String sha256) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String CSV_HEADER = "scope,stream,site,viewers_avg,peak_viewers,playback_starts,hours_watched,p2p_share,"
            + "wan_bytes_saved,http_bytes,rebuffer_ratio,stalls,integrity_failures";

    private final QoeQueries queries;
    private final AuditLog log;
    private final Supplier<AuditSigning> signing;
    private final Clock clock;

    public ComplianceReports(QoeQueries queries, AuditLog log, Supplier<AuditSigning> signing, Clock clock) {
        this.queries = queries;
        this.log = log;
        this.signing = signing;
        this.clock = clock;
    }

    /**
     * Writes the report of {@code from} (inclusive) to {@code to} (exclusive) to {@code file} and
     * its signature, and records it.
     *
     * @throws IllegalArgumentException if the period is empty or longer than {@link #MAX_PERIOD}
     */
    public Report write(Actor actor, Instant from, Instant to, ExportFormat format, Path file)
            throws SQLException, IOException {
        ExportFormat.require(format, ExportFormat.REPORT, "a compliance report");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the report's end must be after its start");
        }
        if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("a report covers at most " + MAX_PERIOD.toDays() + " days");
        }
        QoeQueries.History all = queries.history(from, to, QoeQueries.Step.HOUR, null, null);
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("overall", null, null, all.overall()));
        all.byStream().forEach((stream, f) -> rows.add(row("stream", stream, null, f)));
        all.bySite().forEach((site, f) -> rows.add(row("site", null, site, f)));
        for (String stream : all.byStream().keySet()) {
            queries.history(from, to, QoeQueries.Step.HOUR, stream, null).bySite()
                    .forEach((site, f) -> rows.add(row("stream-site", stream, site, f)));
        }
        MessageDigest sha = Canonical.sha256();
        try (OutputStream os = new DigestOutputStream(Files.newOutputStream(file), sha);
             Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8)) {
            if (format == ExportFormat.JSON) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("report", "swarmgate-compliance");
                doc.put("version", 1);
                doc.put("from", all.from().toString());
                doc.put("to", all.to().toString());
                doc.put("generatedAt", Canonical.time(clock.instant()));
                doc.put("generatedBy", actor.name());
                doc.put("rows", rows);
                w.write(JSON.writeValueAsString(doc));
                w.write('\n');
            } else {
                w.write(CSV_HEADER + "\r\n");
                for (Map<String, Object> r : rows) {
                    List<String> cells = new ArrayList<>();
                    r.values().forEach(v -> cells.add(csv(v)));
                    w.write(String.join(",", cells) + "\r\n");
                }
            }
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        Path p7s = AuditExporter.signatureFile(file);
        Files.write(p7s, signing.get().sign(file));
        log.record(AuditEvent.success(actor, "report.created", null).with("format", format.wire())
                .with("from", all.from().toString()).with("to", all.to().toString())
                .with("rows", rows.size()).with("sha256", digest));
        return new Report(file, p7s, all.from(), all.to(), rows.size(), digest);
    }

    /** One row; the keys, in order, are the CSV columns. */
    private static Map<String, Object> row(String scope, String stream, String site, QoeFigures f) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scope", scope);
        r.put("stream", stream);
        r.put("site", site);
        r.put("viewersAvg", Math.round(f.viewers() * 10_000) / 10_000.0);
        r.put("peakViewers", f.peakViewers());
        // Each viewer session reports its start-up once: the count of sessions that began playing.
        r.put("playbackStarts", f.startups());
        r.put("hoursWatched", Math.round(f.watchMs() / 36_000.0) / 100.0);
        r.put("p2pShare", f.peerEfficiency() == null ? null : Math.round(f.peerEfficiency() * 10_000) / 10_000.0);
        r.put("wanBytesSaved", f.p2pBytes());
        r.put("httpBytes", f.httpBytes());
        r.put("rebufferRatio", f.rebufferRatio() == null ? null : Math.round(f.rebufferRatio() * 1_000_000) / 1_000_000.0);
        r.put("stalls", f.stalls());
        r.put("integrityFailures", f.whyNotP2p().integrity());
        return r;
    }

    private static String csv(Object v) {
        if (v == null) {
            return "";
        }
        // Plain decimals: spreadsheets and scripts read 0.0003, not 3.0E-4.
        String s = v instanceof Double d ? java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
                : v.toString();
        return s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
