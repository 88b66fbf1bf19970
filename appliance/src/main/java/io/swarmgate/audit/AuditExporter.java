package io.swarmgate.audit;

import io.swarmgate.pki.AuditSigning;
import java.io.BufferedWriter;
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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Writes exports for auditors: {@code FILE} in the layout of {@link ExportFile} and
 * {@code FILE.p7s}, a detached CMS signature over it with the audit-signing key. Every export
 * signs a checkpoint of its last entry (carried in the file) and, once the export itself is
 * recorded, one of the head.
 */
public final class AuditExporter {

    private static final int PAGE = 10_000;

    /** What was written. {@code sha256} is the file's digest, also recorded in the log. */
    public record Export(Path file, Path signature, long firstSeq, long lastSeq, long entries, String sha256) {
    }

    private final AuditLog log;
    private final Checkpoints checkpoints;
    private final Supplier<AuditSigning> signing;

    public AuditExporter(AuditLog log, Checkpoints checkpoints, Supplier<AuditSigning> signing) {
        this.log = log;
        this.checkpoints = checkpoints;
        this.signing = signing;
    }

    /** The signature file that goes with {@code file}. */
    public static Path signatureFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".p7s");
    }

    /**
     * Exports the entries recorded from {@code from} (inclusive) to {@code to} (exclusive),
     * either open, to {@code file} and its signature, and records the export.
     */
    public Export export(Actor actor, ExportFormat format, Instant from, Instant to, Path file)
            throws SQLException, IOException {
        ExportFormat.require(format, ExportFormat.AUDIT_LOG, "an audit export");
        long[] range = log.seqRange(from, to);
        AuditLog.Head head = log.head();
        long first = range[0];
        long last = range[1];
        if (first > last) {
            // Nothing in range: the file holds no entries and its checkpoint is the head.
            first = head.seq() + 1;
            last = head.seq();
        }
        String previous = hashBefore(first);
        Instant now = log.clock().instant();
        MessageDigest sha = Canonical.sha256();
        long count = 0;
        String lastHash = previous;
        try (OutputStream os = new DigestOutputStream(Files.newOutputStream(file), sha);
             Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
            ExportFile.writeHeader(w, format, new ExportFile.Header(first, last, last - first + 1, previous,
                    from == null ? null : Canonical.time(from), to == null ? null : Canonical.time(to),
                    Canonical.time(now), actor.name()));
            long next = first;
            while (next <= last) {
                List<AuditEntry> page = log.range(next, last, PAGE);
                if (page.isEmpty() || page.get(0).seq() != next) {
                    throw new IllegalStateException("entry " + next + " is missing from the audit log; run"
                            + " 'swarmgate audit verify' to see what happened to the log");
                }
                for (AuditEntry e : page) {
                    ExportFile.writeEntry(w, format, e);
                    lastHash = e.hash();
                    count++;
                }
                next = page.get(page.size() - 1).seq() + 1;
            }
            ExportFile.writeSeal(w, format, checkpoints.sign(last, lastHash, Checkpoints.EXPORT));
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        Path p7s = signatureFile(file);
        Files.write(p7s, signing.get().sign(file));
        log.record(AuditEvent.success(actor, "audit.exported", null)
                .with("format", format.wire())
                .with("from", from == null ? null : Canonical.time(from))
                .with("to", to == null ? null : Canonical.time(to))
                .with("firstSeq", first)
                .with("lastSeq", last)
                .with("entries", count)
                .with("sha256", digest));
        checkpoints.signHead(Checkpoints.EXPORT);
        return new Export(file, p7s, first, last, count, digest);
    }

    /** The hash the entry {@code seq} chains to: its predecessor's, a pruning anchor's, or the genesis. */
    private String hashBefore(long seq) throws SQLException {
        if (seq <= 1) {
            return Canonical.GENESIS;
        }
        Optional<AuditEntry> previous = log.find(seq - 1);
        if (previous.isPresent()) {
            return previous.get().hash();
        }
        for (Checkpoints.Checkpoint cp : checkpoints.all()) {
            if (cp.seq() == seq - 1) {
                return cp.hash();
            }
        }
        throw new IllegalStateException("entry " + (seq - 1) + " is neither in the audit log nor signed in a"
                + " checkpoint; run 'swarmgate audit verify' to see what happened to the log");
    }
}
