package io.swarmgate.audit;

import java.util.Locale;
import java.util.Optional;

/** The two export formats: JSON lines, and CSV for spreadsheets (RFC 4180, CRLF). */
public enum ExportFormat {
    JSONL("application/x-ndjson", "jsonl"),
    CSV("text/csv; charset=utf-8", "csv");

    private final String contentType;
    private final String extension;

    ExportFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String contentType() {
        return contentType;
    }

    public String extension() {
        return extension;
    }

    public static Optional<ExportFormat> fromWire(String value) {
        for (ExportFormat f : values()) {
            if (f.wire().equals(value)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
