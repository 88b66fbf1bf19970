package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Main;
import io.swarmgate.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code init} without a terminal sets security.intranet-origins from the host name, once. */
@Timeout(120)
class InitCommandIT {

    @TempDir
    Path tmp;

    private String init(Path config) {
        var cli = Main.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(0, cli.execute("init", "--config", config.toString(), "--data-dir", tmp.resolve("var").toString()));
        return out.toString();
    }

    @Test
    void initSetsTheIntranetOriginFromTheHostNameAndKeepsItAfterwards() throws Exception {
        Path config = Files.writeString(tmp.resolve("swarmgate.conf"),
                "server.hostnames = swarmgate.corp.example\n#security.intranet-origins =\n");
        String first = init(config);
        assertTrue(first.contains("Intranet origins: https://swarmgate.corp.example"), first);
        assertEquals(List.of("https://swarmgate.corp.example"),
                ConfigLoader.load(config, Map.of(), Map.of()).security().intranetOrigins());

        Files.writeString(config, Files.readString(config).replace("https://swarmgate.corp.example",
                "https://intranet.corp.example"));
        String again = init(config);
        assertTrue(again.contains("Intranet origins (kept): https://intranet.corp.example"), again);
        assertEquals(1, Files.readAllLines(config).stream().filter(l -> l.startsWith("security.")).count());
    }
}
