package io.swarmgate.audit;

import io.swarmgate.pki.CmsSignatures;
import io.swarmgate.pki.PkiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Checks an audit log — in a database, a copy of one, or an export — without changing it:
 * every entry must chain to the one before; sequence numbers must run without gaps; the newest
 * entry must be the head; every checkpoint must carry a valid signature from the audit-signing
 * key (chained to a trusted CA) and match the entry it names. Reports the first entry that
 * cannot be trusted and why.
 */
public final class AuditVerifier {

    private static final int PAGE = 10_000;

    /**
     * The outcome.
     *
     * @param firstBadSeq the first entry that cannot be trusted, or null (also when the problem is
     *                    not with an entry, such as a file signature that does not match)
     * @param problem     what is wrong, or null when everything checked out
     * @param notes       things an auditor should know that are not failures
     */
    public record Result(long entries, long firstSeq, long lastSeq, int checkpoints, Long firstBadSeq,
                         String problem, List<String> notes) {
        public boolean ok() {
            return problem == null;
        }
    }

    private final List<X509Certificate> trusted;

    /** @param trusted the CA certificates signatures must chain to; empty: signatures are not checked */
    public AuditVerifier(List<X509Certificate> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** Verifies the log {@code log} writes to (inside the running appliance). */
    public Result database(AuditLog log) throws SQLException {
        return database(log.dataSource());
    }

    /** As {@link #database(AuditLog)}, also against checkpoints kept from earlier exports. */
    public Result database(AuditLog log, List<Checkpoints.Checkpoint> held) throws SQLException {
        return database(log.dataSource(), held);
    }

    /** Verifies the audit log of a database. */
    public Result database(DataSource dataSource) throws SQLException {
        return database(dataSource, List.of());
    }

    /**
     * The signed checkpoint an export carries (its last record), for {@link #database(DataSource, List)}.
     *
     * @throws IOException if the file is not an export with a checkpoint record
     */
    public static Checkpoints.Checkpoint heldCheckpoint(String exportText) throws IOException {
        try (BufferedReader in = new BufferedReader(new java.io.StringReader(exportText))) {
            ExportFile.Reader reader = new ExportFile.Reader(in);
            ExportFile.Seal seal = null;
            Object record;
            while ((record = reader.next()) != null) {
                if (record instanceof ExportFile.Seal s) {
                    seal = s;
                }
            }
            if (seal == null) {
                throw new IOException("it has no checkpoint record");
            }
            return new Checkpoints.Checkpoint(seal.seq(), seal.hash(), java.time.Instant.parse(seal.time()), "held",
                    seal.signature());
        } catch (ExportFile.FormatException | java.time.format.DateTimeParseException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Verifies the audit log of a database, also against checkpoints an auditor kept from earlier
     * exports ({@link #heldCheckpoint}): entries cut off or rewritten since then fail too, even
     * when the database's own checkpoints went with them.
     */
    public Result database(DataSource dataSource, List<Checkpoints.Checkpoint> held) throws SQLException {
        List<String> notes = new ArrayList<>();
        List<ChainWalk.Break> problems = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            List<Checkpoints.Checkpoint> valid = new ArrayList<>();
            CmsSignatures signatures = trusted.isEmpty() ? null : new CmsSignatures(trusted);
            if (signatures == null) {
                notes.add("checkpoint signatures were not checked: no CA certificate was given");
            }
            List<Checkpoints.Checkpoint> all = new ArrayList<>(Checkpoints.all(c));
            all.addAll(held);
            for (Checkpoints.Checkpoint cp : all) {
                if (signatures == null) {
                    valid.add(cp);
                    continue;
                }
                try {
                    signatures.verify(cp.signature(), cp.payload().getBytes(StandardCharsets.US_ASCII));
                    valid.add(cp);
                } catch (PkiException e) {
                    problems.add(new ChainWalk.Break(cp.seq(), "the checkpoint of entry " + cp.seq() + " dated "
                            + Canonical.time(cp.time()) + " is not validly signed (" + e.getMessage()
                            + "): the checkpoint was altered"));
                }
            }
            // Retention moves the start of the chain: the newest signed pruning checkpoint is the anchor.
            Checkpoints.Checkpoint anchor = valid.stream().filter(cp -> Checkpoints.PRUNE.equals(cp.reason()))
                    .max(Comparator.comparingLong(Checkpoints.Checkpoint::seq)).orElse(null);
            long start = anchor == null ? 1 : anchor.seq() + 1;
            Set<Long> watched = new HashSet<>();
            valid.forEach(cp -> watched.add(cp.seq()));
            ChainWalk walk = new ChainWalk(start, anchor == null ? Canonical.GENESIS : anchor.hash(), watched);
            long next = start;
            boolean more = true;
            while (more) {
                List<AuditEntry> page = AuditLog.range(c, next, Long.MAX_VALUE, PAGE);
                for (AuditEntry e : page) {
                    if (!walk.accept(e.seq(), e.canonical(), e.hash())) {
                        more = false;
                        break;
                    }
                }
                if (page.size() < PAGE) {
                    more = false;
                } else {
                    next = page.get(page.size() - 1).seq() + 1;
                }
            }
            if (walk.broken() != null) {
                problems.add(walk.broken());
            } else {
                AuditLog.Head head = AuditLog.head(c);
                if (head.seq() > walk.lastSeq()) {
                    problems.add(new ChainWalk.Break(walk.lastSeq() + 1, "entries " + (walk.lastSeq() + 1) + " to "
                            + head.seq() + " are missing: the log's head says it reaches entry " + head.seq()
                            + " (rows were cut off the end)"));
                } else if (head.seq() < walk.lastSeq()) {
                    problems.add(new ChainWalk.Break(head.seq() + 1, "entries after " + head.seq()
                            + " were not appended through the audit log (the head ends at " + head.seq() + ")"));
                } else if (!head.hash().equals(walk.lastHash())) {
                    problems.add(new ChainWalk.Break(head.seq(), "entry " + head.seq()
                            + " does not have the hash the log's head recorded"));
                }
            }
            problems.addAll(checkpoints(valid, walk, start));
            long signedUpTo = valid.stream().mapToLong(Checkpoints.Checkpoint::seq).max().orElse(0);
            if (walk.broken() == null && walk.lastSeq() > signedUpTo) {
                notes.add("entries " + Math.max(signedUpTo + 1, start) + " to " + walk.lastSeq()
                        + " are not covered by a signed checkpoint yet");
            }
            return result(walk, start, valid.size(), problems, notes);
        }
    }

    /** Each checkpoint must match the chain; a mismatch means the chain was rewritten after the last match. */
    private static List<ChainWalk.Break> checkpoints(List<Checkpoints.Checkpoint> valid, ChainWalk walk, long start) {
        List<ChainWalk.Break> problems = new ArrayList<>();
        long lastConfirmed = start - 1;
        List<Checkpoints.Checkpoint> bySeq = new ArrayList<>(valid);
        bySeq.sort(Comparator.comparingLong(Checkpoints.Checkpoint::seq));
        for (Checkpoints.Checkpoint cp : bySeq) {
            if (cp.seq() < start) {
                continue; // before the pruning anchor: those entries are gone by design
            }
            if (cp.seq() > walk.lastSeq()) {
                if (walk.broken() == null) {
                    problems.add(new ChainWalk.Break(walk.lastSeq() + 1, "entries " + (walk.lastSeq() + 1) + " to "
                            + cp.seq() + " are missing: the checkpoint dated " + Canonical.time(cp.time())
                            + " covers entry " + cp.seq() + " (rows were cut off the end)"));
                }
                continue;
            }
            String stored = walk.hashAt(cp.seq());
            if (stored == null) {
                continue; // the walk broke before reaching it; that break is reported
            }
            if (stored.equals(cp.hash())) {
                lastConfirmed = cp.seq();
            } else {
                problems.add(new ChainWalk.Break(lastConfirmed + 1, "the chain was rewritten after entry "
                        + lastConfirmed + ": entry " + cp.seq() + " no longer has the hash signed in its checkpoint"
                        + " dated " + Canonical.time(cp.time())));
            }
        }
        return problems;
    }

    /** Verifies an export file, and its detached signature {@code FILE.p7s} when it is next to it. */
    public Result export(Path file) throws IOException {
        List<String> notes = new ArrayList<>();
        List<ChainWalk.Break> problems = new ArrayList<>();
        CmsSignatures signatures = trusted.isEmpty() ? null : new CmsSignatures(trusted);
        Path p7s = file.resolveSibling(file.getFileName() + ".p7s");
        String fileSignature = null;
        if (!Files.exists(p7s)) {
            notes.add(p7s.getFileName() + " is not next to the file: its signature was not checked");
        } else if (signatures == null) {
            notes.add("signatures were not checked: no CA certificate was given");
        } else {
            try {
                signatures.verify(Files.readAllBytes(p7s), file);
            } catch (PkiException e) {
                fileSignature = p7s.getFileName() + " does not verify the file: " + e.getMessage();
            }
        }
        ChainWalk walk = null;
        ExportFile.Header header = null;
        ExportFile.Seal seal = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            ExportFile.Reader reader = new ExportFile.Reader(in);
            Object first = reader.next();
            if (!(first instanceof ExportFile.Header h)) {
                return failed(null, "the file does not start with an export record: it is not an audit export", notes);
            }
            header = h;
            walk = new ChainWalk(h.firstSeq(), h.prevHash() == null ? "" : h.prevHash(), Set.of(h.lastSeq()));
            Object record;
            while ((record = reader.next()) != null) {
                if (seal != null) {
                    problems.add(new ChainWalk.Break(h.lastSeq() + 1, "line " + reader.line()
                            + " follows the checkpoint record, which must be last (lines were added)"));
                    break;
                }
                if (record instanceof ExportFile.Row row) {
                    String canonical;
                    try {
                        canonical = row.canonical();
                    } catch (IllegalArgumentException e) {
                        canonical = "";
                    }
                    if (!walk.accept(row.seq(), canonical, row.hash()) && walk.broken() != null) {
                        break;
                    }
                } else if (record instanceof ExportFile.Seal s) {
                    seal = s;
                } else {
                    problems.add(new ChainWalk.Break(walk.lastSeq() + 1, "line " + reader.line()
                            + " is a second export record"));
                    break;
                }
            }
        } catch (ExportFile.FormatException e) {
            problems.add(new ChainWalk.Break(walk == null ? null : walk.lastSeq() + 1, e.getMessage()));
        }
        if (walk != null && walk.broken() != null) {
            problems.add(walk.broken());
        } else if (walk != null && problems.isEmpty()) {
            if (walk.lastSeq() < header.lastSeq()) {
                problems.add(new ChainWalk.Break(walk.lastSeq() + 1, "entries " + (walk.lastSeq() + 1) + " to "
                        + header.lastSeq() + " are missing: the export record says it holds up to entry "
                        + header.lastSeq() + (seal == null ? " (the file was cut off)" : "")));
            } else if (walk.lastSeq() > header.lastSeq()) {
                problems.add(new ChainWalk.Break(header.lastSeq() + 1, "entries after " + header.lastSeq()
                        + " were added: the export record says it ends there"));
            } else if (seal == null) {
                problems.add(new ChainWalk.Break(header.lastSeq() + 1,
                        "the checkpoint record is missing: the file was cut off"));
            } else if (seal.seq() != header.lastSeq() || !seal.hash().equals(walk.lastHash())) {
                problems.add(new ChainWalk.Break(Math.min(seal.seq(), header.lastSeq()), "the checkpoint (entry "
                        + seal.seq() + ") does not match the last entry of the export (entry " + walk.lastSeq() + ")"));
            }
        }
        if (seal != null && signatures != null) {
            try {
                signatures.verify(seal.signature(), seal.payload().getBytes(StandardCharsets.US_ASCII));
            } catch (PkiException e) {
                problems.add(new ChainWalk.Break(seal.seq(), "the checkpoint record is not validly signed: "
                        + e.getMessage()));
            }
        }
        if (fileSignature != null) {
            // A changed entry also breaks the file's signature; the entry says more, so it leads.
            if (problems.isEmpty()) {
                problems.add(new ChainWalk.Break(null, fileSignature));
            } else {
                notes.add(fileSignature);
            }
        }
        if (walk == null) {
            return failed(null, problems.get(0).message(), notes);
        }
        return result(walk, header.firstSeq(), seal == null ? 0 : 1, problems, notes);
    }

    private static Result result(ChainWalk walk, long start, int checkpoints, List<ChainWalk.Break> problems,
                                 List<String> notes) {
        // The earliest entry that cannot be trusted; a problem with no entry (a file signature) otherwise.
        ChainWalk.Break first = problems.stream().filter(b -> b.seq() != null)
                .min(Comparator.comparingLong(ChainWalk.Break::seq))
                .orElse(problems.isEmpty() ? null : problems.get(0));
        return new Result(walk.count(), start, walk.lastSeq(), checkpoints, first == null ? null : first.seq(),
                first == null ? null : first.message(), List.copyOf(notes));
    }

    private static Result failed(Long seq, String problem, List<String> notes) {
        return new Result(0, 0, 0, 0, seq, problem, List.copyOf(notes));
    }
}
