package io.swarmgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of an export, written by {@link AuditExporter} and read back by
 * {@link AuditVerifier} (and by {@code docs/audit-verify.py}). Three kinds of records, in order:
 *
 * <ol>
 *   <li>one {@code export} record: the covered sequence numbers, the hash of the entry before the
 *       first ({@code prevHash}, where the chain inside the file starts), the requested time
 *       range, who exported and when;</li>
 *   <li>the {@code entry} records, every entry from {@code firstSeq} to {@code lastSeq};</li>
 *   <li>one {@code checkpoint} record: the last entry's sequence number and hash, signed with
 *       the audit-signing key (base64 CMS), so the export links to the appliance's checkpoints.</li>
 * </ol>
 *
 * <p>JSON lines: one object per line with a {@code record} field. CSV: the header
 * {@code record,seq,time,actor,source,action,target,outcome,details,hash}; the export row keeps
 * its fields as JSON in {@code details} (seq: first, time: exported at, actor: exported by,
 * hash: prevHash), the checkpoint row its signature. Empty CSV fields are null.
 */
final class ExportFile {

    static final int VERSION = 1;
    static final String CSV_HEADER = "record,seq,time,actor,source,action,target,outcome,details,hash";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the export record says. {@code from}/{@code to} are the requested times, or null. */
    record Header(long firstSeq, long lastSeq, long entries, String prevHash, String from, String to,
                  String exportedAt, String exportedBy) {
    }

    /** An entry as read from a file: the text fields as they stand, details as parsed JSON. */
    record Row(long seq, String time, String actor, String source, String action, String target, String outcome,
               JsonNode details, String hash) {
        /** The canonical text, from the values as written (a time string is not re-formatted). */
        String canonical() {
            StringBuilder b = new StringBuilder(200);
            b.append("{\"action\":");
            Canonical.string(b, action);
            b.append(",\"actor\":");
            Canonical.string(b, actor);
            b.append(",\"details\":").append(Canonical.json(details));
            b.append(",\"outcome\":");
            Canonical.string(b, outcome);
            b.append(",\"seq\":").append(seq);
            b.append(",\"source\":");
            Canonical.string(b, source);
            b.append(",\"target\":");
            Canonical.string(b, target);
            b.append(",\"time\":");
            Canonical.string(b, time);
            return b.append('}').toString();
        }
    }

    /** The checkpoint record. */
    record Seal(long seq, String hash, String time, byte[] signature) {
        String payload() {
            StringBuilder b = new StringBuilder(120);
            b.append("{\"hash\":");
            Canonical.string(b, hash);
            b.append(",\"seq\":").append(seq).append(",\"time\":");
            Canonical.string(b, time);
            return b.append('}').toString();
        }
    }

    private ExportFile() {
    }

    // --- writing -----------------------------------------------------------------------------

    static void writeHeader(Writer w, ExportFormat format, Header h) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", VERSION);
        fields.put("format", format.wire());
        fields.put("firstSeq", h.firstSeq());
        fields.put("lastSeq", h.lastSeq());
        fields.put("entries", h.entries());
        fields.put("prevHash", h.prevHash());
        fields.put("from", h.from());
        fields.put("to", h.to());
        fields.put("exportedAt", h.exportedAt());
        fields.put("exportedBy", h.exportedBy());
        if (format == ExportFormat.JSONL) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("record", "export");
            line.putAll(fields);
            // Not hashed: written in reading order rather than canonically.
            w.write(MAPPER.writeValueAsString(line));
            w.write('\n');
        } else {
            w.write(CSV_HEADER);
            w.write("\r\n");
            csvRow(w, "export", Long.toString(h.firstSeq()), h.exportedAt(), h.exportedBy(), null, null, null, null,
                    Canonical.details(fields), h.prevHash());
        }
    }

    static void writeEntry(Writer w, ExportFormat format, AuditEntry e) throws IOException {
        String time = Canonical.time(e.time());
        if (format == ExportFormat.JSONL) {
            StringBuilder b = new StringBuilder(200 + e.details().length());
            b.append("{\"record\":\"entry\",\"seq\":").append(e.seq()).append(",\"time\":");
            Canonical.string(b, time);
            b.append(",\"actor\":");
            Canonical.string(b, e.actor());
            b.append(",\"source\":");
            Canonical.string(b, e.source());
            b.append(",\"action\":");
            Canonical.string(b, e.action());
            b.append(",\"target\":");
            Canonical.string(b, e.target());
            b.append(",\"outcome\":");
            Canonical.string(b, e.outcome());
            b.append(",\"details\":").append(e.details()).append(",\"hash\":");
            Canonical.string(b, e.hash());
            b.append("}\n");
            w.write(b.toString());
        } else {
            csvRow(w, "entry", Long.toString(e.seq()), time, e.actor(), e.source(), e.action(), e.target(),
                    e.outcome(), e.details(), e.hash());
        }
    }

    static void writeSeal(Writer w, ExportFormat format, Checkpoints.Checkpoint cp) throws IOException {
        String signature = Base64.getEncoder().encodeToString(cp.signature());
        if (format == ExportFormat.JSONL) {
            StringBuilder b = new StringBuilder(200 + signature.length());
            b.append("{\"record\":\"checkpoint\",\"seq\":").append(cp.seq()).append(",\"hash\":");
            Canonical.string(b, cp.hash());
            b.append(",\"time\":");
            Canonical.string(b, Canonical.time(cp.time()));
            b.append(",\"signature\":");
            Canonical.string(b, signature);
            b.append("}\n");
            w.write(b.toString());
        } else {
            csvRow(w, "checkpoint", Long.toString(cp.seq()), Canonical.time(cp.time()), null, null, null, null, null,
                    Canonical.details(Map.of("signature", signature)), cp.hash());
        }
    }

    private static void csvRow(Writer w, String... fields) throws IOException {
        StringBuilder b = new StringBuilder(256);
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            String f = fields[i];
            if (f == null) {
                continue;
            }
            boolean quote = f.isEmpty() || f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0
                    || f.indexOf('\r') >= 0;
            if (quote) {
                b.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                b.append(f);
            }
        }
        w.write(b.append("\r\n").toString());
    }

    // --- reading -----------------------------------------------------------------------------

    /** A record that is not what the layout allows at that point; the message says what and where. */
    static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    /** Reads records in order; {@link #next} returns a Header, Row or Seal, or null at the end. */
    static final class Reader {
        private final BufferedReader in;
        private final boolean csv;
        private long line;

        Reader(BufferedReader in) throws IOException, FormatException {
            this.in = in;
            in.mark(64);
            int first = in.read();
            in.reset();
            this.csv = first != '{';
            if (csv) {
                List<String> header = csvRecord();
                if (header == null || !String.join(",", header).equals(CSV_HEADER)) {
                    throw new FormatException("line 1 is not an audit export header (expected '" + CSV_HEADER
                            + "' or a JSON line)");
                }
            }
        }

        /** The line where the last record started. */
        long line() {
            return line;
        }

        Object next() throws IOException, FormatException {
            if (csv) {
                List<String> f = csvRecord();
                if (f == null) {
                    return null;
                }
                if (f.size() != 10) {
                    throw new FormatException("line " + line + " has " + f.size() + " fields; expected 10");
                }
                return switch (f.get(0)) {
                    case "export" -> header(json(f.get(8)), f.get(9));
                    case "entry" -> new Row(number(f.get(1)), f.get(2), f.get(3), f.get(4), f.get(5), f.get(6),
                            f.get(7), json(f.get(8)), f.get(9));
                    case "checkpoint" -> new Seal(number(f.get(1)), f.get(9), f.get(2),
                            signature(json(f.get(8)).path("signature").asText(null)));
                    default -> throw new FormatException("line " + line + " is a '" + f.get(0) + "' record;"
                            + " expected export, entry or checkpoint");
                };
            }
            String text = in.readLine();
            line++;
            if (text == null) {
                return null;
            }
            JsonNode n = json(text);
            return switch (n.path("record").asText()) {
                case "export" -> header(n, n.path("prevHash").asText(null));
                case "entry" -> new Row(n.path("seq").asLong(-1), text(n, "time"), text(n, "actor"), text(n, "source"),
                        text(n, "action"), text(n, "target"), text(n, "outcome"), n.path("details"), text(n, "hash"));
                case "checkpoint" -> new Seal(n.path("seq").asLong(-1), text(n, "hash"), text(n, "time"),
                        signature(text(n, "signature")));
                default -> throw new FormatException("line " + line + " is not an export, entry or checkpoint record");
            };
        }

        private Header header(JsonNode n, String prevHash) throws FormatException {
            if (n.path("version").asInt() != VERSION) {
                throw new FormatException("line " + line + ": export version " + n.path("version")
                        + " is not known to this Swarmgate (it reads version " + VERSION + ")");
            }
            return new Header(n.path("firstSeq").asLong(), n.path("lastSeq").asLong(), n.path("entries").asLong(),
                    prevHash, text(n, "from"), text(n, "to"), text(n, "exportedAt"), text(n, "exportedBy"));
        }

        private static String text(JsonNode n, String field) {
            JsonNode v = n.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        private JsonNode json(String text) throws FormatException {
            try {
                return MAPPER.readTree(text);
            } catch (IOException e) {
                throw new FormatException("line " + line + " is not valid JSON");
            }
        }

        private long number(String text) throws FormatException {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new FormatException("line " + line + ": '" + text + "' is not a sequence number");
            }
        }

        private byte[] signature(String base64) throws FormatException {
            try {
                return base64 == null ? new byte[0] : Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new FormatException("line " + line + ": the checkpoint signature is not base64");
            }
        }

        /** One CSV record (RFC 4180: quoted fields may hold commas, quotes and line breaks); empty fields are null. */
        private List<String> csvRecord() throws IOException, FormatException {
            int c = in.read();
            if (c == -1) {
                return null;
            }
            line++;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            while (true) {
                if (quoted) {
                    if (c == -1) {
                        throw new FormatException("line " + line + ": a quoted field does not end");
                    }
                    if (c == '"') {
                        int n = in.read();
                        if (n == '"') {
                            f.append('"');
                        } else {
                            quoted = false;
                            c = n;
                            continue;
                        }
                    } else {
                        f.append((char) c);
                    }
                } else if (c == '"' && f.length() == 0 && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else if (c == ',' || c == '\n' || c == -1 || c == '\r') {
                    fields.add(f.length() == 0 && !wasQuoted ? null : f.toString());
                    f.setLength(0);
                    wasQuoted = false;
                    if (c == '\r') {
                        in.mark(1);
                        if (in.read() != '\n') {
                            in.reset();
                        }
                        return fields;
                    }
                    if (c == '\n' || c == -1) {
                        return fields;
                    }
                } else {
                    f.append((char) c);
                }
                c = in.read();
            }
        }
    }
}
