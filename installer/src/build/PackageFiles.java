import io.swarmgate.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build step of the installer module (run by Maven with the JDK's source launcher, so the module
 * needs no compiled code of its own). The man pages and the bash completion come from the same
 * picocli model as {@code --help}, through {@code Main.newCommandLine()}: that is the command line
 * the jar really runs, with its factory (serve has no no-argument constructor), so a new option or
 * command appears in the packages without anyone editing them.
 *
 * <pre>
 * PackageFiles adoc DIR          AsciiDoc man page sources, one per command and subcommand
 * PackageFiles completion FILE   the bash completion script
 * PackageFiles gzip DIR          gzip every file in DIR, reproducibly (no name, no time stamp)
 * PackageFiles conf IN OUT       the packaged swarmgate.conf: IN with data.dir set to /var/lib/swarmgate
 * </pre>
 */
public final class PackageFiles {

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: PackageFiles adoc|completion|gzip|conf ARGS");
        }
        switch (args[0]) {
            case "adoc" -> adoc(Path.of(args[1]));
            case "completion" -> completion(Path.of(args[1]));
            case "gzip" -> gzip(Path.of(args[1]));
            case "conf" -> conf(Path.of(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException("unknown step " + args[0]);
        }
    }

    private static void adoc(Path dir) throws IOException {
        Files.createDirectories(dir);
        CommandLine cli = Main.newCommandLine();
        int exit = ManPageGenerator.generateManPage(dir.toFile(), null, new boolean[0], false, cli.getCommandSpec());
        if (exit != 0) {
            throw new IllegalStateException("man page generation failed with exit code " + exit);
        }
    }

    private static void completion(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, AutoComplete.bash("swarmgate", Main.newCommandLine()), StandardCharsets.UTF_8);
    }

    private static void gzip(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> !f.toString().endsWith(".gz")).sorted().toList();
        }
        for (Path file : files) {
            // GZIPOutputStream writes no file name and a zero modification time: the same input
            // always gives the same bytes, which keeps the packages reproducible.
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(Path.of(file + ".gz")))) {
                out.write(Files.readAllBytes(file));
            }
            Files.delete(file);
        }
    }

    /**
     * The installed configuration differs from config/swarmgate.conf in one line: the data
     * directory. Failing when the line is not found keeps a reworded config/swarmgate.conf from
     * silently shipping a package whose data lands in the service's working directory.
     */
    private static void conf(Path in, Path out) throws IOException {
        String text = Files.readString(in, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^#data\\.dir = \\./var$").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(in + " has no line '#data.dir = ./var' to set the installed data directory in;"
                    + " update installer/src/build/PackageFiles.java with the new wording");
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, m.replaceFirst("data.dir = /var/lib/swarmgate"), StandardCharsets.UTF_8);
    }
}
