package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code swarmgate loadgen}'s help and usage errors (runs against a server are in LoadGeneratorIT). */
class LoadgenCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryOption() {
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), "loadgen", "--help"));
        for (String option : new String[] {"--url", "--ca", "--peers", "--subnets", "--join-rate", "--duration",
            "--stream", "--relay-rate", "--origin", "--server-heap-url", "--json"}) {
            assertTrue(out.toString().contains(option), option + " in " + out);
        }
    }

    @Test
    void usageErrorsExitTwoAndNameTheOption() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "loadgen"));
        assertTrue(err.toString().contains("--url"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "loadgen", "--url", "http://127.0.0.1:1/ws"));
        assertTrue(err.toString().contains("--url must start with ws://"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "loadgen", "--url", "ws://127.0.0.1:1/ws", "--subnets", "0"));
        assertTrue(err.toString().contains("--subnets"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "loadgen", "--url", "ws://127.0.0.1:1/ws", "--peers", "many"));
        assertTrue(err.toString().contains("--peers"), err.toString());
    }
}
