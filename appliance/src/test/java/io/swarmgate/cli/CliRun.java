package io.swarmgate.cli;

import io.swarmgate.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a {@code swarmgate} command in this JVM against a data directory, as the CLI tests need it. */
record CliRun(int code, String out, String err) {

    static CliRun run(Path data, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data-dir");
        all.add(data.toString());
        return of(all.toArray(String[]::new));
    }

    /** The command exactly as given. */
    static CliRun of(String... args) {
        var cli = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
