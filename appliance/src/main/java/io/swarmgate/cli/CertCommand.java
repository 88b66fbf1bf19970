package io.swarmgate.cli;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.pki.Pki;
import io.swarmgate.pki.PkiException;
import io.swarmgate.store.DataDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** {@code swarmgate cert csr --out FILE}. */
    @Command(name = "csr", mixinStandardHelpOptions = true,
            description = {"Write a certificate signing request for the enterprise CA,",
                "with the server's key and host names. Install the signed chain with 'cert import'."})
    static final class Csr implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the PEM CSR.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Logging.quiet();
            ApplianceConfig config = options.load();
            String pem = existingPki(config).csrPem(config.server().hostnames());
            Files.writeString(out, pem, StandardCharsets.US_ASCII);
            spec.commandLine().getOut().println("Wrote " + out.toAbsolutePath()
                    + "; have the enterprise CA sign it, then run 'swarmgate cert import FILE'.");
            return ExitCodes.OK;
        }
    }

    /** {@code swarmgate cert import FILE}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Install a signed certificate chain (PEM: server certificate first, then intermediates).",
                "It is installed only if it matches the server key, is complete and is valid now;",
                "otherwise the current certificate stays and the reason is printed. Restart serve to use it."})
    static final class Import implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "PEM file with the signed chain.")
        Path file;

        @Override
        public Integer call() {
            Logging.quiet();
            Pki pki = existingPki(options.load());
            try {
                pki.importChain(file);
            } catch (PkiException e) {
                throw new ExitCodes.UsageException("certificate not installed: " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("Installed the certificate chain from " + file + ":");
            out.print(pki.report().format());
            out.flush();
            return ExitCodes.OK;
        }
    }
}
