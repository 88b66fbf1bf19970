package io.swarmgate.audit;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The formats of the signed files auditors receive: JSON lines and CSV for audit log exports,
 * JSON and CSV for compliance reports (CSV is RFC 4180 with CRLF in both). Each kind of file
 * accepts only its own set ({@link #AUDIT_LOG}, {@link #REPORT}).
 */
public enum ExportFormat {
    JSONL("application/x-ndjson", "jsonl"),
    JSON("application/json", "json"),
    CSV("text/csv; charset=utf-8", "csv");

    /** What an audit log export may be. */
    public static final Set<ExportFormat> AUDIT_LOG = Collections.unmodifiableSet(EnumSet.of(JSONL, CSV));
    /** What a compliance report may be. */
    public static final Set<ExportFormat> REPORT = Collections.unmodifiableSet(EnumSet.of(JSON, CSV));

    private final String contentType;
    private final String extension;

    ExportFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    /** The name in requests and on the command line: {@code jsonl}, {@code json}, {@code csv}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String contentType() {
        return contentType;
    }

    public String extension() {
        return extension;
    }

    /** The format named {@code value} if it is one of {@code allowed}. */
    public static Optional<ExportFormat> fromWire(String value, Set<ExportFormat> allowed) {
        for (ExportFormat f : values()) {
            if (f.wire().equals(value) && allowed.contains(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The wire names of {@code allowed} in declaration order, for schemas and messages. */
    public static List<String> wires(Set<ExportFormat> allowed) {
        return Arrays.stream(values()).filter(allowed::contains).map(ExportFormat::wire).toList();
    }

    /** "jsonl or csv": the wire names of {@code allowed} for an error message. */
    public static String choices(Set<ExportFormat> allowed) {
        return String.join(" or ", wires(allowed));
    }

    /** Refuses a format the kind of file does not come in (a programming error, not a user's). */
    static void require(ExportFormat format, Set<ExportFormat> allowed, String what) {
        if (!allowed.contains(format)) {
            throw new IllegalArgumentException(what + " is written as " + choices(allowed) + ", not " + format.wire());
        }
    }
}
