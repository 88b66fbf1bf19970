package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.Audit;
import io.swarmgate.audit.AuditEntry;
import io.swarmgate.audit.AuditExporter;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.audit.Canonical;
import io.swarmgate.audit.ComplianceReports;
import io.swarmgate.audit.ExportFormat;
import io.swarmgate.audit.Outcome;
import io.swarmgate.console.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /audit}: the audit log for auditors — entries filtered by time, actor, action and
 * outcome, newest first, page by page — and signed exports. An export's file is the response
 * body; its detached signature ({@code FILE.p7s}, DER) travels base64-encoded in the
 * {@link #SIGNATURE_HEADER} header of the same response, so the pair always belongs together,
 * whichever appliance of a cluster answered.
 */
public final class AuditResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** The export's SHA-256, as recorded in its {@code audit.exported} entry. */
    public static final String EXPORT_HEADER = "X-Audit-Export";
    /** The export's detached CMS signature, base64 of the DER bytes of FILE.p7s. */
    public static final String SIGNATURE_HEADER = "X-Audit-Signature";

    private static final Schema OUTCOME = Schema.oneOf(List.of("success", "failure", "denied"));
    private static final Schema ENTRY = Schema.object()
            .required("seq", Schema.integer().describe("1, 2, 3, … without gaps"))
            .required("time", Schema.instant())
            .required("actor", Schema.string().describe("username, token:<id>, cli:<os user>, system or unknown"))
            .required("source", Schema.string().nullable().describe("the client address"))
            .required("action", Schema.string().describe("such as auth.sign-in or stream.changed"))
            .required("target", Schema.string().nullable())
            .required("outcome", OUTCOME)
            .required("details", Schema.object().describe("what happened; for changes the state before and after"))
            .required("hash", Schema.string().describe("SHA-256 over the previous hash and the canonical entry, hex"))
            .named("AuditEntry");

    private static final Schema REPORT = Schema.object()
            .required("report", Schema.oneOf(List.of("swarmgate-compliance")))
            .required("version", Schema.integer())
            .required("from", Schema.instant())
            .required("to", Schema.instant())
            .required("generatedAt", Schema.instant())
            .required("generatedBy", Schema.string())
            .required("rows", Schema.arrayOf(Schema.object()
                    .required("scope", Schema.oneOf(List.of("overall", "stream", "site", "stream-site")))
                    .required("stream", Schema.string().nullable())
                    .required("site", Schema.string().nullable())
                    .required("viewersAvg", Schema.number().describe("average concurrent viewers"))
                    .required("peakViewers", Schema.integer().nullable())
                    .required("playbackStarts", Schema.integer()
                            .describe("viewer sessions whose playback started in the period"))
                    .required("hoursWatched", Schema.number())
                    .required("p2pShare", Schema.number().nullable().describe("P2P bytes / all bytes, 0..1"))
                    .required("wanBytesSaved", Schema.integer().describe("bytes delivered peer to peer"))
                    .required("httpBytes", Schema.integer())
                    .required("rebufferRatio", Schema.number().nullable())
                    .required("stalls", Schema.integer())
                    .required("integrityFailures", Schema.integer()
                            .describe("peer segments that failed the appliance's hash"))))
            .named("ComplianceReport");

    private final Audit audit;
    private final Path scratchDir;

    /** @param scratchDir where export files are written before they are sent (private to the appliance) */
    public AuditResource(Audit audit, Path scratchDir) {
        this.audit = audit;
        this.scratchDir = scratchDir;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/audit", Role.AUDITOR, "Audit log entries, newest first", this::list)
                        .query("from", Schema.instant(), "ISO-8601 time; entries at or after it")
                        .query("to", Schema.instant(), "ISO-8601 time; entries before it")
                        .query("actor", Schema.string(200), "only this actor")
                        .query("action", Schema.string(64), "only this action; a trailing .* matches a prefix")
                        .query("outcome", OUTCOME, "only this outcome")
                        .query("limit", Schema.integer(1, MAX_LIMIT), "at most this many entries; default "
                                + DEFAULT_LIMIT)
                        .query("before", Schema.integer(1, Long.MAX_VALUE), "only entries before this sequence"
                                + " number: the next field of the previous page")
                        .returns(200, "a page of entries", Schema.object()
                                .required("entries", Schema.arrayOf(ENTRY))
                                .required("next", Schema.integer().nullable()
                                        .describe("before for the next page; null on the last"))),
                Route.get("/audit/export", Role.AUDITOR, "A signed export of the entries recorded from ?from= to"
                                + " ?to=; the detached signature (FILE.p7s) is the base64 " + SIGNATURE_HEADER
                                + " header; the export is itself recorded", this::export)
                        .query("format", Schema.oneOf(ExportFormat.wires(ExportFormat.AUDIT_LOG)), "jsonl (default) or csv")
                        .query("from", Schema.instant(), "ISO-8601 time, inclusive; default the oldest entry")
                        .query("to", Schema.instant(), "ISO-8601 time, exclusive; default now")
                        .returnsText("application/x-ndjson", "the export: JSON lines, or CSV (text/csv) for"
                                + " format=csv; docs/auditor-guide.md describes both"),
                Route.get("/audit/report", Role.AUDITOR, "A signed compliance report for ?from= to ?to= (default the"
                                + " last 30 days): per stream, per site and per stream and site, viewers, hours"
                                + " watched, P2P share, WAN bytes saved, rebuffering and integrity failures; the"
                                + " signature is the base64 " + SIGNATURE_HEADER + " header; the report is recorded",
                                this::report)
                        .query("format", Schema.oneOf(ExportFormat.wires(ExportFormat.REPORT)), "json (default) or csv")
                        .query("from", Schema.instant(), "ISO-8601 time, inclusive (rounded down to the hour)")
                        .query("to", Schema.instant(), "ISO-8601 time, exclusive (rounded up to the hour)")
                        .returns(200, "the report; CSV (text/csv) with the same columns for format=csv",
                                REPORT));
    }

    /** The default period of a report. */
    static final java.time.Duration REPORT_PERIOD = java.time.Duration.ofDays(30);

    private Object report(ApiRequest r) throws Exception {
        String formatText = r.query("format") == null ? "json" : r.query("format");
        ExportFormat format = ExportFormat.fromWire(formatText, ExportFormat.REPORT).orElseThrow(() ->
                ApiException.badRequest("format", "format must be " + ExportFormat.choices(ExportFormat.REPORT)));
        Instant to = time(r, "to");
        if (to == null) {
            to = Instant.now();
        }
        Instant from = time(r, "from");
        if (from == null) {
            from = to.minus(REPORT_PERIOD);
        }
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("to", "to must be after from");
        }
        if (java.time.Duration.between(from, to).compareTo(ComplianceReports.MAX_PERIOD) > 0) {
            throw ApiException.badRequest("from", "a report covers at most " + ComplianceReports.MAX_PERIOD.toDays()
                    + " days");
        }
        Files.createDirectories(scratchDir);
        Path file = Files.createTempFile(scratchDir, "report-", "." + format.extension());
        ComplianceReports.Report report;
        byte[] signature;
        try {
            report = audit.reports().write(r.actor(), from, to, format, file);
            signature = Files.readAllBytes(report.signature());
        } catch (Exception | Error e) {
            Files.deleteIfExists(file);
            throw e;
        } finally {
            Files.deleteIfExists(AuditExporter.signatureFile(file));
        }
        String name = "swarmgate-compliance-" + report.from().toString().substring(0, 10) + "-"
                + report.to().toString().substring(0, 10) + "." + format.extension();
        return new ApiResponse(200, file, format.contentType(), Map.of(
                "Content-Disposition", "attachment; filename=\"" + name + "\"",
                EXPORT_HEADER, report.sha256(),
                SIGNATURE_HEADER, Base64.getEncoder().encodeToString(signature)));
    }

    private Object list(ApiRequest r) throws Exception {
        int limit = DEFAULT_LIMIT;
        if (r.query("limit") != null) {
            limit = wholeNumber(r, "limit");
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiException.badRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
            }
        }
        Long before = r.query("before") == null ? null : (long) wholeNumber(r, "before");
        Outcome outcome = null;
        if (r.query("outcome") != null && !r.query("outcome").isEmpty()) {
            outcome = Outcome.fromWire(r.query("outcome")).orElseThrow(() -> ApiException.badRequest("outcome",
                    "outcome must be success, failure or denied"));
        }
        AuditLog.Filter filter = new AuditLog.Filter(time(r, "from"), time(r, "to"), text(r, "actor"),
                text(r, "action"), outcome);
        List<AuditEntry> entries = audit.log().page(filter, before, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", entries.stream().map(AuditResource::view).toList());
        body.put("next", entries.size() == limit ? entries.get(entries.size() - 1).seq() : null);
        return body;
    }

    private Object export(ApiRequest r) throws Exception {
        String formatText = r.query("format") == null ? "jsonl" : r.query("format");
        ExportFormat format = ExportFormat.fromWire(formatText, ExportFormat.AUDIT_LOG).orElseThrow(() ->
                ApiException.badRequest("format", "format must be " + ExportFormat.choices(ExportFormat.AUDIT_LOG)));
        Instant from = time(r, "from");
        Instant to = time(r, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.badRequest("to", "to must be after from");
        }
        Files.createDirectories(scratchDir);
        Path file = Files.createTempFile(scratchDir, "audit-", "." + format.extension());
        AuditExporter.Export export;
        byte[] signature;
        try {
            export = audit.exporter().export(r.actor(), format, from, to, file);
            signature = Files.readAllBytes(export.signature());
        } catch (Exception | Error e) {
            Files.deleteIfExists(file);
            throw e;
        } finally {
            Files.deleteIfExists(AuditExporter.signatureFile(file));
        }
        String name = "swarmgate-audit-" + export.firstSeq() + "-" + export.lastSeq() + "." + format.extension();
        // The file is streamed, then deleted by ApiHandler.
        return new ApiResponse(200, file, format.contentType(), Map.of(
                "Content-Disposition", "attachment; filename=\"" + name + "\"",
                EXPORT_HEADER, export.sha256(),
                SIGNATURE_HEADER, Base64.getEncoder().encodeToString(signature)));
    }

    static Map<String, Object> view(AuditEntry e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("seq", e.seq());
        v.put("time", Canonical.time(e.time()));
        v.put("actor", e.actor());
        v.put("source", e.source());
        v.put("action", e.action());
        v.put("target", e.target());
        v.put("outcome", e.outcome());
        JsonNode details;
        try {
            details = Json.MAPPER.readTree(e.details());
        } catch (java.io.IOException x) {
            details = Json.MAPPER.getNodeFactory().textNode(e.details());
        }
        v.put("details", details);
        v.put("hash", e.hash());
        return v;
    }

    private static Instant time(ApiRequest r, String field) throws ApiException {
        String value = r.query(field);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e2) {
                throw ApiException.badRequest(field, field + " must be an ISO-8601 time such as 2026-12-01T00:00:00Z");
            }
        }
    }

    private static String text(ApiRequest r, String field) throws ApiException {
        String value = r.query(field);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > 200) {
            throw ApiException.badRequest(field, field + " is longer than 200 characters");
        }
        return value;
    }

    private static int wholeNumber(ApiRequest r, String field) throws ApiException {
        try {
            return Integer.parseInt(r.query(field));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field, field + " must be a whole number");
        }
    }
}
