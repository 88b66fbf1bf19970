package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit codes and messages, run in-process. */
class CliTest {

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void everyCommandHasHelpAndExitsZero() {
        // Every command in the tree, so a new one cannot be forgotten here.
        List<List<String>> commands = new java.util.ArrayList<>();
        collect(io.swarmgate.Main.newCommandLine(), List.of(), commands);
        assertTrue(commands.size() > 30, "the command tree: " + commands);
        for (List<String> cmd : commands) {
            String[] args = java.util.stream.Stream.concat(cmd.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            CliRun r = run(args);
            assertEquals(0, r.code(), "help for " + cmd + ": " + r.err());
            assertTrue(r.out().contains("Usage:"), r.out());
        }
    }

    private static void collect(picocli.CommandLine line, List<String> path, List<List<String>> out) {
        out.add(path);
        line.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandName().equals(name) && !name.equals("help")) {
                collect(sub, java.util.stream.Stream.concat(path.stream(), java.util.stream.Stream.of(name)).toList(), out);
            }
        });
    }

    @Test
    void backupAndRestoreRefuseInClusterModeAndPointToPgDump() throws Exception {
        Path conf = tmp.resolve("swarmgate.conf");
        java.nio.file.Files.writeString(conf, "database.url = jdbc:postgresql://127.0.0.1:1/swarmgate\n");
        for (String[] args : List.of(new String[] {"backup", "--out", tmp.resolve("b.zip").toString()},
                new String[] {"restore", tmp.resolve("b.zip").toString()})) {
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--config", conf.toString(), "--data-dir", tmp.resolve("data").toString()));
            CliRun r = run(all.toArray(String[]::new));
            assertEquals(2, r.code(), args[0] + ": " + r.err());
            assertTrue(r.err().contains("pg_dump"), args[0] + ": " + r.err());
        }
    }

    @Test
    void versionPrintsTheVersion() {
        CliRun r = run("version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("swarmgate "), r.out());
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun r = run("serv");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("serve"), "suggests the right command: " + r.err());
    }

    @Test
    void missingCommandIsAUsageError() {
        CliRun r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing command"), r.err());
    }

    @Test
    void unknownFlagIsAUsageError() {
        CliRun r = run("serve", "--htps-port", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--htps-port"), r.err());
    }

    @Test
    void nonNumericPortIsAUsageErrorNamingTheFlag() {
        CliRun r = run("serve", "--https-port", "abc", "--data-dir", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--https-port"), r.err());
    }

    @Test
    void outOfRangePortIsAConfigurationErrorNamingTheKey() {
        CliRun r = run("serve", "--https-port", "70000", "--data-dir", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("server.https-port: must be between 0 and 65535"), r.err());
    }

    @Test
    void unknownKeyInConfigFileIsAConfigurationErrorWithSuggestion() throws Exception {
        Path conf = tmp.resolve("bad.conf");
        Files.writeString(conf, "server.htps-port = 9443\n");
        CliRun r = run("serve", "--config", conf.toString(), "--data-dir", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("server.htps-port: unknown configuration key"), r.err());
        assertTrue(r.err().contains("did you mean 'server.https-port'"), r.err());
    }

    @Test
    void certCommandsWithoutAnInitializedDataDirectoryFailAndSayWhatToDo() {
        CliRun r = run("cert", "show", "--data-dir", tmp.resolve("empty").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("swarmgate init"), r.err());
    }

    @Test
    void certImportNeedsAFile() {
        CliRun r = run("cert", "import");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("FILE"), r.err());
    }
}
