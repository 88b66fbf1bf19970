package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.Audit;
import io.swarmgate.audit.AuditEntry;
import io.swarmgate.audit.AuditExporter;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.audit.Canonical;
import io.swarmgate.audit.ExportFormat;
import io.swarmgate.audit.Outcome;
import io.swarmgate.console.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /audit}: the audit log for auditors — entries filtered by time, actor, action and
 * outcome, newest first, page by page — and signed exports. An export's file is the response
 * body; its detached signature ({@code FILE.p7s}) is fetched right after from
 * {@code /audit/exports/{id}/signature}, with the id from the {@code X-Audit-Export} header. The
 * appliance keeps the signatures of its last {@link #KEPT_SIGNATURES} exports in memory.
 */
public final class AuditResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int KEPT_SIGNATURES = 32;
    public static final String EXPORT_HEADER = "X-Audit-Export";

    private final Audit audit;
    private final Path scratchDir;
    private final Map<String, byte[]> signatures = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > KEPT_SIGNATURES;
        }
    };

    /** @param scratchDir where export files are written before they are sent (private to the appliance) */
    public AuditResource(Audit audit, Path scratchDir) {
        this.audit = audit;
        this.scratchDir = scratchDir;
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/audit", Role.AUDITOR, this::list,
                        "Audit log entries, newest first; filters ?from=&to= (ISO-8601 times), actor, action (a"
                                + " trailing .* matches a prefix), outcome (success|failure|denied); ?limit= (at most "
                                + MAX_LIMIT + ") and ?before= (the next field of the previous page)", null,
                        "{entries: [{seq, time, actor, source, action, target, outcome, details, hash}], next}"),
                new Route("GET", "/audit/export", Role.AUDITOR, this::export,
                        "A signed export of the entries recorded ?from= (inclusive) ?to= (exclusive) as"
                                + " ?format=jsonl|csv; the signature follows at the path the X-Audit-Export header"
                                + " names", null, "the export file (application/x-ndjson or text/csv)"),
                new Route("GET", "/audit/exports/{id}/signature", Role.AUDITOR, this::signature,
                        "The detached CMS signature (DER) of a recent export, for FILE.p7s", null,
                        "application/pkcs7-signature"));
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
        ExportFormat format = ExportFormat.fromWire(formatText).orElseThrow(() -> ApiException.badRequest("format",
                "format must be jsonl or csv"));
        Instant from = time(r, "from");
        Instant to = time(r, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw ApiException.badRequest("to", "to must be after from");
        }
        Files.createDirectories(scratchDir);
        Path file = Files.createTempFile(scratchDir, "audit-", "." + format.extension());
        AuditExporter.Export export;
        try {
            export = audit.exporter().export(r.actor(), format, from, to, file);
            byte[] signature = Files.readAllBytes(export.signature());
            synchronized (signatures) {
                signatures.put(export.sha256(), signature);
            }
        } catch (Exception | Error e) {
            Files.deleteIfExists(file);
            throw e;
        } finally {
            Files.deleteIfExists(AuditExporter.signatureFile(file));
        }
        String name = "swarmgate-audit-" + export.firstSeq() + "-" + export.lastSeq() + "." + format.extension();
        // The file is sent, then deleted by ApiHandler; the signature stays here for the second request.
        return new ApiResponse(200, file, format.contentType(), Map.of(
                "Content-Disposition", "attachment; filename=\"" + name + "\"",
                EXPORT_HEADER, export.sha256(),
                "Link", "<" + ApiHandler.PREFIX + "/audit/exports/" + export.sha256()
                        + "/signature>; rel=\"signature\""));
    }

    private Object signature(ApiRequest r) throws Exception {
        byte[] signature;
        synchronized (signatures) {
            signature = signatures.get(r.param("id"));
        }
        if (signature == null) {
            throw ApiException.notFound("no recent export " + r.param("id") + "; the appliance keeps the signatures"
                    + " of its last " + KEPT_SIGNATURES + " exports until it restarts: export again");
        }
        return new ApiResponse(200, signature, "application/pkcs7-signature", Map.of(
                "Content-Disposition", "attachment; filename=\"swarmgate-audit.p7s\""));
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
