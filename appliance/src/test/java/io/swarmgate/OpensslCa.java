package io.swarmgate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An enterprise CA made with the {@code openssl} command line, as a corporate PKI team would: a
 * self-signed root and an issuing intermediate under it (EC P-256), in a directory of its own.
 * Signs CSRs (copying the requested extensions, or with the extensions a test names), issues keys
 * with certificates, and backdates with {@code openssl ca} for expired certificates.
 */
public final class OpensslCa {

    private final Path dir;
    private final String name;
    public final Path rootCert;
    public final Path rootKey;
    public final Path intermediateCert;
    public final Path intermediateKey;
    private int serial = 1000;

    /** Creates the root and the intermediate under {@code dir/name-*}. */
    public OpensslCa(Path dir, String name) throws Exception {
        this.dir = dir;
        this.name = name.replace(' ', '-');
        Files.createDirectories(dir);
        rootKey = dir.resolve(this.name + "-root.key");
        rootCert = dir.resolve(this.name + "-root.pem");
        intermediateKey = dir.resolve(this.name + "-issuing.key");
        intermediateCert = dir.resolve(this.name + "-issuing.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", rootKey.toString(), "-out", rootCert.toString(), "-days", "30",
                "-subj", "/O=" + name + "/CN=" + name + " Root CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Path csr = newKey(intermediateKey, "/O=" + name + "/CN=" + name + " Issuing CA");
        Path ext = extensions("basicConstraints=critical,CA:TRUE,pathlen:0",
                "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash",
                "authorityKeyIdentifier=keyid");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", rootCert.toString(), "-CAkey", rootKey.toString(),
                "-set_serial", Integer.toString(serial++), "-days", "30", "-extfile", ext.toString(),
                "-out", intermediateCert.toString());
    }

    /** A new EC key in {@code key} and a CSR for {@code subject} beside it. */
    public Path newKey(Path key, String subject) throws Exception {
        Path csr = Path.of(key + ".csr");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", subject);
        return csr;
    }

    /** The intermediate signs {@code csr} for 10 days, copying the extensions the CSR asks for. */
    public Path signCopyingExtensions(Path csr, Path out) throws Exception {
        openssl("x509", "-req", "-in", csr.toString(), "-CA", intermediateCert.toString(),
                "-CAkey", intermediateKey.toString(), "-set_serial", Integer.toString(serial++), "-days", "10",
                "-copy_extensions", "copy", "-out", out.toString());
        return out;
    }

    /** The intermediate signs {@code csr} for 10 days with exactly {@code extensionLines} (openssl x509v3 syntax). */
    public Path sign(Path csr, Path out, String... extensionLines) throws Exception {
        openssl("x509", "-req", "-in", csr.toString(), "-CA", intermediateCert.toString(),
                "-CAkey", intermediateKey.toString(), "-set_serial", Integer.toString(serial++), "-days", "10",
                "-extfile", extensions(extensionLines).toString(), "-out", out.toString());
        return out;
    }

    /** The intermediate signs {@code csr} for the given period (openssl dates, e.g. 20200101000000Z), copying extensions. */
    public Path signDated(Path csr, Path out, String start, String end) throws Exception {
        Path db = dir.resolve(name + "-ca-" + serial);
        Files.createDirectories(db.resolve("new"));
        Files.writeString(db.resolve("index.txt"), "");
        Files.writeString(db.resolve("serial"), String.format("%08X%n", serial++));
        Path config = db.resolve("ca.cnf");
        Files.writeString(config, String.join("\n", "[ca]", "default_ca = corp", "[corp]",
                "database = " + db.resolve("index.txt"), "new_certs_dir = " + db.resolve("new"),
                "serial = " + db.resolve("serial"), "default_md = sha256", "policy = any", "copy_extensions = copy",
                "unique_subject = no", "[any]", "organizationName = optional", "commonName = supplied", ""));
        openssl("ca", "-batch", "-notext", "-config", config.toString(), "-cert", intermediateCert.toString(),
                "-keyfile", intermediateKey.toString(), "-in", csr.toString(), "-out", out.toString(),
                "-startdate", start, "-enddate", end);
        return out;
    }

    /** {@code files} concatenated into {@code out}, as an administrator assembles a chain file. */
    public static Path concat(Path out, Path... files) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path f : files) {
            text.append(Files.readString(f, StandardCharsets.US_ASCII));
        }
        Files.writeString(out, text, StandardCharsets.US_ASCII);
        return out;
    }

    private Path extensions(String... lines) throws IOException {
        Path ext = Files.createTempFile(dir, "ext-", ".cnf");
        Files.writeString(ext, String.join("\n", lines) + "\n");
        return ext;
    }

    /** Runs {@code openssl args…}; throws with its output when it exits non-zero. */
    public static String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs {@code command}; throws with its output when it exits non-zero; returns the output otherwise. */
    public static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " -> " + p.exitValue() + ": " + output);
        }
        return output;
    }

    /** Exit code of {@code command}, output discarded. */
    public static int exitCode(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return p.exitValue();
    }
}
