package io.swarmgate.cli;

import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.Outcome;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.control.AdminContext;
import io.swarmgate.control.Certificates;
import io.swarmgate.pki.CertInfo;
import io.swarmgate.pki.CertificateReport;
import io.swarmgate.pki.Pki;
import io.swarmgate.pki.PkiException;
import io.swarmgate.store.DataDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swarmgate cert show|csr|import}: the appliance's TLS certificate. */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Show the TLS certificate, request one from the enterprise CA, or install it.",
        subcommands = {CertCommand.Show.class, CertCommand.Csr.class, CertCommand.Import.class})
public final class CertCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: show, csr or import");
    }

    static Pki existingPki(ApplianceConfig config) {
        DataDirectory dataDir = new DataDirectory(config.dataDir());
        Pki pki = Pki.at(dataDir.pkiDir());
        if (!pki.isInitialized()) {
            throw new ExitCodes.CommandFailedException("no certificate in " + dataDir.pkiDir()
                    + "; run 'swarmgate init --data-dir " + dataDir.root() + "' first");
        }
        return pki;
    }

    /** {@code swarmgate cert show}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print subject, names, SHA-256 fingerprints and expiry of the CA and server certificates.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Logging.quiet();
            PrintWriter out = spec.commandLine().getOut();
            out.print(existingPki(options.load()).report().format());
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code swarmgate cert csr [--audit-signing] --out FILE}. */
    @Command(name = "csr", mixinStandardHelpOptions = true,
            description = {"Write a certificate signing request for the enterprise CA,",
                "with the server's key and host names. Install the signed chain with 'cert import'.",
                "With --audit-signing: for the audit-signing certificate instead (the audit-signing key;",
                "key usage digitalSignature and nonRepudiation, extended key usage documentSigning)."})
    static final class Csr extends ForwardingCommand {
        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the PEM CSR.")
        Path out;

        @Option(names = "--audit-signing",
                description = "Request the certificate that signs audit checkpoints, exports and reports.")
        boolean auditSigning;

        @Override
        protected int execute(AdminContext context, PrintWriter printed) throws Exception {
            Certificates certificates = context.certificates();
            String pem;
            // The PKI is files, not rows: the entry follows the CSR it records.
            if (auditSigning) {
                pem = certificates.pki().auditSigningCsrPem();
                context.audit().log().record(AuditEvent.success(context.actor(),
                        "certificate.audit-signing-csr-created", null));
            } else {
                pem = certificates.pki().csrPem(certificates.hostnames());
                context.audit().log().record(AuditEvent.success(context.actor(), "certificate.csr-created", null)
                        .with("hostnames", certificates.hostnames()));
            }
            if (inAppliance()) {
                printed.print(pem);
                return ExitCodes.OK;
            }
            return written(pem, printed);
        }

        /** The appliance never writes into the caller's file system: the CLI writes what it printed. */
        @Override
        protected int forwardedOutput(String output, PrintWriter printed) throws IOException {
            return written(output, printed);
        }

        private int written(String pem, PrintWriter printed) throws IOException {
            Files.writeString(out, pem, StandardCharsets.US_ASCII);
            printed.println("Wrote " + out.toAbsolutePath() + "; have the enterprise CA sign it, then run 'swarmgate"
                    + " cert import " + (auditSigning ? "--audit-signing " : "") + "FILE'.");
            return ExitCodes.OK;
        }
    }

    /** {@code swarmgate cert import FILE}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Install a signed certificate chain (PEM: server certificate first, then intermediates).",
                "It is installed only if it matches the server key, is complete and is valid now;",
                "otherwise the current certificate stays and the reason is printed. A running appliance serves",
                "it at once; a stopped one when it starts. --audit-signing installs the audit-signing certificate."})
    static final class Import extends ForwardingCommand {
        @Parameters(paramLabel = "FILE", description = "PEM file with the signed chain.")
        Path file;

        @Option(names = "--audit-signing", description = {"Install the audit-signing certificate instead (PEM: the",
            "certificate from 'cert csr --audit-signing', then the intermediates and the enterprise root). It must",
            "match the audit-signing key, be valid now, allow digitalSignature or nonRepudiation and link up to",
            "its root; the next checkpoint, export and report are signed with it and carry its chain."})
        boolean auditSigning;

        @Override
        protected List<Path> inputFiles() {
            return List.of(file);
        }

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            Pki pki = context.certificates().pki();
            if (!pki.isInitialized()) {
                throw new ExitCodes.CommandFailedException("no certificate in the data directory; run 'swarmgate init'"
                        + " first");
            }
            if (auditSigning) {
                CertInfo installed = install(context, pki, "certificate.audit-signing-imported",
                        "audit-signing certificate", pki::importAuditSigningChain);
                recordInstalled(context, "certificate.audit-signing-imported", installed);
                out.println("Installed the audit-signing certificate from " + file + ":");
                out.println("  Subject:     " + installed.subject());
                out.println("  Issuer:      " + installed.issuer());
                out.println("  SHA-256:     " + installed.sha256Fingerprint());
                out.println("  Valid until: " + installed.notAfter());
                out.println("Checkpoints, exports and reports are signed with it from now on; auditors verify them"
                        + " against the enterprise root (openssl cms -verify ... -CAfile ROOT.pem -purpose any).");
                return ExitCodes.OK;
            }
            install(context, pki, "certificate.imported", "certificate", copy -> {
                pki.importChain(copy);
                return null;
            });
            context.certificates().reload().run();
            CertificateReport report = pki.report();
            recordInstalled(context, "certificate.imported", report.server());
            out.println("Installed the certificate chain from " + file + ":");
            out.print(report.format());
            return ExitCodes.OK;
        }

        /** Installs a PKI file; the reason of a refusal goes to the audit log and the caller. */
        private interface Installer<T> {
            T install(Path pemFile) throws PkiException;
        }

        private <T> T install(AdminContext context, Pki pki, String action, String what, Installer<T> installer)
                throws Exception {
            // The chain travelled with the command: the appliance may not be able to read the caller's file.
            Path copy = Files.createTempFile(pki.caCertificateFile().getParent(), "import-", ".pem");
            try {
                Files.writeString(copy, read(context, file), StandardCharsets.ISO_8859_1);
                return installer.install(copy);
            } catch (PkiException e) {
                context.audit().log().record(AuditEvent.of(context.actor(), action, null, Outcome.FAILURE)
                        .with("reason", e.getMessage()));
                throw new ExitCodes.UsageException(what + " not installed: " + e.getMessage());
            } finally {
                Files.deleteIfExists(copy);
            }
        }

        private static void recordInstalled(AdminContext context, String action, CertInfo cert) throws Exception {
            context.audit().log().record(AuditEvent.success(context.actor(), action, cert.subject())
                    .with("issuer", cert.issuer()).with("sha256", cert.sha256Fingerprint())
                    .with("notAfter", String.valueOf(cert.notAfter())));
        }
    }
}
