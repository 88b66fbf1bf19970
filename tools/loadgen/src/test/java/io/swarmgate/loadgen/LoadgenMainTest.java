package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The tool's help and usage errors, run in-process (runs against a server are in LoadGeneratorIT). */
class LoadgenMainTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = LoadgenMain.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryOption() {
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), "--help"));
        for (String option : new String[] {"--url", "--ca", "--peers", "--subnets", "--join-rate", "--duration",
            "--stream", "--relay-rate", "--origin", "--server-heap-url", "--warmup-peers", "--json"}) {
            assertTrue(out.toString().contains(option), option + " in " + out);
        }
    }

    @Test
    void usageErrorsExitTwoAndNameTheOption() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err));
        assertTrue(err.toString().contains("--url"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "--url", "http://127.0.0.1:1/ws"));
        assertTrue(err.toString().contains("--url must start with ws://"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "--url", "ws://127.0.0.1:1/ws", "--subnets", "0"));
        assertTrue(err.toString().contains("--subnets"), err.toString());

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "--url", "ws://127.0.0.1:1/ws", "--peers", "many"));
        assertTrue(err.toString().contains("--peers"), err.toString());
    }
}
