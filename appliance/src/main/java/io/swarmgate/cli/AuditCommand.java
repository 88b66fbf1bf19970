package io.swarmgate.cli;

import io.swarmgate.audit.AuditExporter;
import io.swarmgate.audit.AuditVerifier;
import io.swarmgate.audit.Checkpoints;
import io.swarmgate.audit.ComplianceReports;
import io.swarmgate.audit.ExportFormat;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.control.AdminContext;
import io.swarmgate.control.ControlClient;
import io.swarmgate.pki.CmsSignatures;
import io.swarmgate.pki.Pki;
import io.swarmgate.pki.PkiException;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.h2.jdbcx.JdbcDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code swarmgate audit verify|export}: check the audit log and hand it to auditors. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Verify the hash-chained audit log, export it signed for auditors, or write a signed"
                + " compliance report.",
            "See docs/auditor-guide.md."},
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class, AuditCommand.Report.class})
public final class AuditCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: verify, export or report");
    }

    /** {@code swarmgate audit verify}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check the audit log of a data directory (also a copy, or a running appliance's),",
                "or an export and its FILE.p7s. Finds edited, deleted, inserted and reordered entries and a cut-off",
                "end, prints the first entry that cannot be trusted and exits 1; exits 0 when all is well.",
                "Changes nothing."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--export", paramLabel = "FILE", description = "An export to check instead of a data directory.")
        Path export;

        @Option(names = "--ca", paramLabel = "FILE",
                description = {"CA certificates (PEM, one or more) the signatures must chain to (default:",
                    "<data-dir>/pki/ca.crt and, once an enterprise audit-signing certificate was imported, audit-ca.crt)."})
        Path ca;

        @Option(names = "--checkpoint", paramLabel = "EXPORT",
                description = {"An earlier export whose signed checkpoint the log must still match (repeatable):",
                    "finds entries cut off or rewritten since, even with the database's own checkpoints gone."})
        List<Path> held = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            AdminContext live = AdminContext.current();
            if (live != null) {
                List<Checkpoints.Checkpoint> checkpoints = new ArrayList<>();
                for (Path p : held) {
                    checkpoints.add(checkpoint(p, live.files().get(p.toString())));
                }
                return report(out, "the running appliance's audit log",
                        new AuditVerifier(trusted(live.audit().trustedCa().get(), true)).database(live.audit().log(),
                                checkpoints));
            }
            Logging.quiet();
            ApplianceConfig config = options.load();
            DataDirectory dataDir = new DataDirectory(config.dataDir());
            List<Path> caFiles = ca != null ? List.of(ca) : Pki.at(dataDir.pkiDir()).auditTrustFiles();
            if (export != null) {
                if (!Files.isRegularFile(export)) {
                    throw new ExitCodes.UsageException("no export file " + export);
                }
                List<X509Certificate> trusted = trusted(caFiles, ca != null);
                return report(out, export.toString(), new AuditVerifier(trusted).export(export));
            }
            boolean shared = config.database().shared();
            if (!shared && !Files.exists(dataDir.databaseFile())) {
                throw new ExitCodes.UsageException("no database in " + dataDir.root() + "; give --data-dir DIR"
                        + " (a data directory or a copy of one) or --export FILE");
            }
            Map<String, String> files = new LinkedHashMap<>();
            List<Checkpoints.Checkpoint> checkpoints = new ArrayList<>();
            for (Path p : held) {
                String text;
                try {
                    text = Files.readString(p);
                } catch (IOException e) {
                    throw new ExitCodes.UsageException("cannot read " + p + ": " + e.getMessage());
                }
                files.put(p.toString(), text);
                checkpoints.add(checkpoint(p, text));
            }
            List<String> args = spec.root().commandLine().getParseResult().originalArgs();
            Optional<ControlClient.Result> forwarded = ControlClient.forward(dataDir.controlSocket(), args, files);
            if (forwarded.isPresent()) {
                out.print(forwarded.get().out());
                out.flush();
                spec.commandLine().getErr().print(forwarded.get().err());
                spec.commandLine().getErr().flush();
                return forwarded.get().exit();
            }
            List<X509Certificate> trusted = trusted(caFiles, true);
            if (shared) {
                // Cluster mode: the shared PostgreSQL database, whose log every appliance writes.
                try (Database db = Database.open(dataDir, config.database().withPoolSize(2), false)) {
                    return report(out, "the audit log in " + config.database().url(),
                            new AuditVerifier(trusted).database(db.dataSource(), checkpoints));
                } catch (SQLException e) {
                    throw new ExitCodes.CommandFailedException("cannot read the audit log in "
                            + config.database().url() + ": " + e.getMessage(), e);
                }
            }
            JdbcDataSource readOnly = new JdbcDataSource();
            // Read-only and never created: verification must not change the evidence it checks.
            readOnly.setURL("jdbc:h2:file:" + dataDir.databaseBase() + ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE");
            readOnly.setUser("swarmgate");
            readOnly.setPassword("");
            try {
                return report(out, "the audit log in " + dataDir.root(),
                        new AuditVerifier(trusted).database(readOnly, checkpoints));
            } catch (SQLException e) {
                throw new ExitCodes.CommandFailedException("cannot read the audit log in " + dataDir.databaseFile()
                        + ": " + e.getMessage() + (e.getMessage() != null && e.getMessage().contains("audit_")
                        ? " (the database predates the audit log)" : ""), e);
            }
        }

        private static Checkpoints.Checkpoint checkpoint(Path export, String text) {
            if (text == null) {
                throw new ExitCodes.UsageException("cannot read " + export);
            }
            try {
                return AuditVerifier.heldCheckpoint(text);
            } catch (IOException e) {
                throw new ExitCodes.UsageException(export + " is not an audit export with a checkpoint: " + e.getMessage());
            }
        }

        private static List<X509Certificate> trusted(List<Path> caFiles, boolean required) {
            List<X509Certificate> trusted = new ArrayList<>();
            for (Path caFile : caFiles) {
                if (!Files.isRegularFile(caFile)) {
                    if (required) {
                        throw new ExitCodes.UsageException("no CA certificate " + caFile + " to check signatures with;"
                                + " give --ca FILE (the appliance's pki/ca.crt, or the enterprise root)");
                    }
                    continue;
                }
                try {
                    trusted.addAll(CmsSignatures.trusted(caFile));
                } catch (PkiException e) {
                    throw new ExitCodes.UsageException(e.getMessage());
                }
            }
            return trusted;
        }

        private int report(PrintWriter out, String what, AuditVerifier.Result r) {
            out.printf("%s: %d entries (%s), %d signed checkpoint(s) checked%n", what, r.entries(),
                    r.entries() == 0 ? "none" : r.firstSeq() + " to " + r.lastSeq(), r.checkpoints());
            r.notes().forEach(n -> out.println("note: " + n));
            if (r.ok()) {
                out.println("OK: the chain is intact.");
                out.flush();
                return ExitCodes.OK;
            }
            out.println("FAILED" + (r.firstBadSeq() == null ? "" : " at entry " + r.firstBadSeq()) + ": " + r.problem());
            out.flush();
            spec.commandLine().getErr().println("swarmgate: audit verification failed"
                    + (r.firstBadSeq() == null ? "" : "; first bad entry: " + r.firstBadSeq()));
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILURE;
        }
    }

    /** {@code swarmgate audit export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Export audit entries to FILE and its detached CMS signature FILE.p7s (DER), which",
                "'openssl cms -verify -binary -inform DER -in FILE.p7s -content FILE -CAfile <data-dir>/pki/ca.crt",
                "-purpose any' accepts. Works while the appliance runs. The export is itself recorded."})
    static final class Export extends ForwardingCommand {
        @Option(names = "--from", paramLabel = "ISO-TIME",
                description = "First time to include (e.g. 2026-12-01 or 2026-12-01T08:00:00Z); default: the oldest entry.")
        String from;

        @Option(names = "--to", paramLabel = "ISO-TIME", description = "Time to stop before; default: now.")
        String to;

        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "jsonl or csv.")
        String format;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the export.")
        Path outFile;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            ExportFormat f = ExportFormat.fromWire(format, ExportFormat.AUDIT_LOG).orElseThrow(() ->
                    new ExitCodes.UsageException("--format must be " + ExportFormat.choices(ExportFormat.AUDIT_LOG)
                            + ", not '" + format + "'"));
            Instant fromTime = time("--from", from);
            Instant toTime = time("--to", to);
            if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
                throw new ExitCodes.UsageException("--to must be after --from");
            }
            // Inside the appliance the file goes to its private export directory; the CLI moves it.
            Path file = inAppliance() ? scratch(context, f.extension()) : outFile;
            AuditExporter.Export export;
            try {
                export = context.audit().exporter().export(context.actor(), f, fromTime, toTime, file);
            } catch (IOException e) {
                throw new ExitCodes.CommandFailedException("cannot write " + file + ": " + e.getMessage(), e);
            }
            if (inAppliance()) {
                out.println("file=" + export.file());
            }
            out.printf("Exported %d entries (%s) to %s%n", export.entries(), export.entries() == 0 ? "none"
                    : export.firstSeq() + " to " + export.lastSeq(), outFile);
            out.println("Signature: " + AuditExporter.signatureFile(outFile) + " (SHA-256 of the file " + export.sha256()
                    + ")");
            return ExitCodes.OK;
        }

        /** A private file in the appliance's export directory, for a file the CLI then moves to --out. */
        static Path scratch(AdminContext context, String extension) throws IOException {
            Files.createDirectories(context.audit().exportDir());
            return Files.createTempFile(context.audit().exportDir(), "audit-", "." + extension);
        }

        @Override
        protected int forwardedOutput(String output, PrintWriter out) throws IOException {
            return handOver(output, outFile, out);
        }

        /** Moves the file (and its .p7s) the appliance wrote, named on output's first line, to {@code outFile}. */
        static int handOver(String output, Path outFile, PrintWriter out) throws IOException {
            String first = output.lines().findFirst().orElse("");
            if (!first.startsWith("file=")) {
                throw new ExitCodes.CommandFailedException("the appliance did not say where it wrote the file");
            }
            Path written = Path.of(first.substring("file=".length()));
            Files.move(written, outFile, StandardCopyOption.REPLACE_EXISTING);
            Files.move(AuditExporter.signatureFile(written), AuditExporter.signatureFile(outFile),
                    StandardCopyOption.REPLACE_EXISTING);
            out.print(output.substring(first.length() + 1));
            return ExitCodes.OK;
        }

        static Instant time(String option, String value) {
            if (value == null) {
                return null;
            }
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(value).toInstant();
                } catch (DateTimeParseException e2) {
                    try {
                        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
                    } catch (DateTimeParseException e3) {
                        throw new ExitCodes.UsageException(option + " must be an ISO-8601 date or time such as"
                                + " 2026-12-01 or 2026-12-01T08:00:00Z, not '" + value + "'");
                    }
                }
            }
        }
    }

    /** {@code swarmgate audit report}. */
    @Command(name = "report", mixinStandardHelpOptions = true,
            description = {"Write a compliance report for a period to FILE and its signature FILE.p7s: per stream,",
                "per site and per stream and site, viewers, hours watched, P2P share, WAN bytes saved, rebuffering",
                "and integrity failures. Works while the appliance runs. The report is itself recorded."})
    static final class Report extends ForwardingCommand {
        @Option(names = "--from", paramLabel = "ISO-TIME", description = "Start of the period (default: 30 days before --to).")
        String from;

        @Option(names = "--to", paramLabel = "ISO-TIME", description = "End of the period (default: now).")
        String to;

        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "json or csv.")
        String format;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the report.")
        Path outFile;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            ExportFormat f = ExportFormat.fromWire(format, ExportFormat.REPORT).orElseThrow(() ->
                    new ExitCodes.UsageException("--format must be " + ExportFormat.choices(ExportFormat.REPORT)
                            + ", not '" + format + "'"));
            Instant toTime = Export.time("--to", to);
            toTime = toTime == null ? Instant.now() : toTime;
            Instant fromTime = Export.time("--from", from);
            fromTime = fromTime == null ? toTime.minus(java.time.Duration.ofDays(30)) : fromTime;
            Path file = inAppliance() ? Export.scratch(context, f.extension()) : outFile;
            ComplianceReports.Report report;
            try {
                report = context.audit().reports().write(context.actor(), fromTime, toTime, f, file);
            } catch (IllegalArgumentException e) {
                throw new ExitCodes.UsageException(e.getMessage());
            }
            if (inAppliance()) {
                out.println("file=" + report.file());
            }
            out.printf("Compliance report for %s to %s (%d rows) written to %s%n", report.from(), report.to(),
                    report.rows(), outFile);
            out.println("Signature: " + AuditExporter.signatureFile(outFile) + " (SHA-256 of the file " + report.sha256()
                    + ")");
            return ExitCodes.OK;
        }

        @Override
        protected int forwardedOutput(String output, PrintWriter out) throws IOException {
            return Export.handOver(output, outFile, out);
        }
    }
}
