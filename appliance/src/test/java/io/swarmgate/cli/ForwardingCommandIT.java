package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import io.swarmgate.policy.ViewerTokens;
import io.swarmgate.signaling.TestViewer;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmgate site …} and {@code swarmgate stream …}, offline and against a running appliance. */
@Timeout(60)
class ForwardingCommandIT {

    @TempDir
    Path tmp;

    private static CliRun run(Path data, String... args) {
        return CliRun.run(data, args);
    }

    private Path initialised() {
        Path data = tmp.resolve("data");
        DataDirectory dir = new DataDirectory(data).create();
        Database.open(dir, 2, true).close();
        return data;
    }

    @Test
    void sitesAreAddedListedExportedAndRemovedOffline() throws Exception {
        Path data = initialised();
        assertEquals(0, run(data, "site", "add", "10.20.0.0/16", "paris-hq", "--label", "Paris, HQ").code());
        assertEquals(0, run(data, "site", "add", "2001:db8:20::/48", "paris-hq").code());
        CliRun list = run(data, "site", "list");
        assertTrue(list.out().contains("10.20.0.0/16") && list.out().contains("paris-hq"), list.out());

        CliRun bad = run(data, "site", "add", "10.20.0.1/16", "x");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("10.20.0.1/16"), bad.err());

        Path csv = tmp.resolve("out.csv");
        assertEquals(0, run(data, "site", "export", "--out", csv.toString()).code());
        assertEquals("cidr,site,label\n10.20.0.0/16,paris-hq,\"Paris, HQ\"\n2001:db8:20::/48,paris-hq,\n",
                Files.readString(csv));

        assertEquals(0, run(data, "site", "remove", "10.20.0.0/16").code());
        CliRun missing = run(data, "site", "remove", "10.20.0.0/16");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no site range"), missing.err());
    }

    @Test
    void csvImportWithBadRowsReportsEveryLineAndImportsNothing() throws Exception {
        Path data = initialised();
        Path csv = tmp.resolve("sites.csv");
        Files.writeString(csv, "cidr,site,label\n10.1.0.0/16,lyon,Lyon\n10.2.0.0/33,nantes,\n10.3.0.0/16\n"
                + "10.1.0.0/16,lyon,duplicate\n10.4.0.0/16,bad site,\n");
        CliRun r = run(data, "site", "import", csv.toString());
        assertEquals(2, r.code());
        for (String line : List.of("line 3:", "line 4:", "line 5:", "line 6:")) {
            assertTrue(r.err().contains(line), line + " reported: " + r.err());
        }
        assertTrue(run(data, "site", "list").out().contains("No site ranges"));

        Files.writeString(csv, "10.1.0.0/16,lyon,Lyon\n10.2.0.0/16,nantes,\"Nantes, 2nd floor\"\n");
        CliRun ok = run(data, "site", "import", csv.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("Imported 2"), ok.out());
    }

    @Test
    void streamPoliciesAreCreatedChangedValidatedAndMintTokens() throws Exception {
        Path data = initialised();
        CliRun add = run(data, "stream", "add", "townhall", "--url-pattern", "https://video.corp.example/live/townhall/*",
                "--p2p", "download-only", "--site-mode", "lyon=off", "--allowed-origin", "https://intranet.corp.example",
                "--security", "intermediate", "--site-group", "paris,lyon");
        assertEquals(0, add.code(), add.err());
        String list = run(data, "stream", "list").out();
        assertTrue(list.contains("download-only; lyon=off"), list);
        assertTrue(list.contains("lyon+paris"), list);
        assertTrue(list.contains("https://intranet.corp.example"), list);

        assertEquals(2, run(data, "stream", "add", "townhall").code(), "duplicate id");
        CliRun badId = run(data, "stream", "add", "Town Hall");
        assertEquals(2, badId.code());
        assertTrue(badId.err().contains("id:"), badId.err());
        CliRun badMode = run(data, "stream", "set", "townhall", "--p2p", "maybe");
        assertEquals(2, badMode.code());
        assertTrue(badMode.err().contains("p2p: must be on, download-only or off"), badMode.err());
        CliRun badOrigin = run(data, "stream", "set", "townhall", "--allowed-origin", "https://intranet/page");
        assertEquals(2, badOrigin.code());

        assertEquals(2, run(data, "stream", "token", "townhall").code(), "no tokens without a secret");
        CliRun secret = run(data, "stream", "set", "townhall", "--token-secret", "generate", "--p2p", "on");
        assertEquals(0, secret.code(), secret.err());
        String key = secret.out().lines().filter(l -> l.startsWith("Viewer token secret")).findFirst().orElseThrow()
                .replaceAll(".*: ", "");
        CliRun token = run(data, "stream", "token", "townhall", "--ttl", "60", "--subject", "ann");
        assertEquals(0, token.code(), token.err());
        assertEquals("ann", ViewerTokens.verify(List.of(key), "townhall", token.out().strip(), Instant.now(),
                java.time.Duration.ofHours(24)).subject());

        CliRun limits = run(data, "stream", "set", "townhall", "--token-max-lifetime", "4h", "--token-rotation-grace",
                "5m", "--max-viewers-per-token", "2");
        assertEquals(0, limits.code(), limits.err());
        String tokens = run(data, "stream", "list").out();
        assertTrue(tokens.contains("max lifetime PT4H, rotation grace PT5M, viewers per token 2"), tokens);
        CliRun tooLong = run(data, "stream", "token", "townhall", "--ttl", "14401");
        assertEquals(2, tooLong.code(), "a token may not outlive the stream's maximum lifetime");
        assertTrue(tooLong.err().contains("token-max-lifetime"), tooLong.err());
        CliRun badDuration = run(data, "stream", "set", "townhall", "--token-rotation-grace", "soon");
        assertEquals(2, badDuration.code());
        assertTrue(badDuration.err().contains("token-rotation-grace"), badDuration.err());

        CliRun star = run(data, "stream", "set", "townhall", "--allowed-origin", "*");
        assertEquals(2, star.code(), "'*' only through the explicit flag");
        assertTrue(star.err().contains("--allow-any-origin"), star.err());
        CliRun any = run(data, "stream", "set", "townhall", "--allow-any-origin");
        assertEquals(0, any.code(), any.err());
        assertTrue(run(data, "stream", "list").out().contains("ANY origin"));
        assertEquals(0, run(data, "stream", "set", "townhall", "--clear-origins").code());
        assertTrue(run(data, "stream", "list").out().contains("allowed origins:  default"));

        assertTrue(run(data, "stream", "list").out().contains(
                "uploads:          Wi-Fi, not cellular; at most 4 at a time and 20000 kbit/s per viewer"));
        CliRun upload = run(data, "stream", "set", "townhall", "--upload-on-cellular", "true", "--upload-on-wifi",
                "false", "--max-uploads", "2", "--max-upload-kbps", "5000");
        assertEquals(0, upload.code(), upload.err());
        String uploads = run(data, "stream", "list").out();
        assertTrue(uploads.contains("not Wi-Fi, cellular; at most 2 at a time and 5000 kbit/s per viewer"), uploads);
        CliRun tooMany = run(data, "stream", "set", "townhall", "--max-uploads", "65");
        assertEquals(2, tooMany.code());
        assertTrue(tooMany.err().contains("max-uploads: must be between 1 and 64"), tooMany.err());
        CliRun tooSlow = run(data, "stream", "set", "townhall", "--max-upload-kbps", "10");
        assertEquals(2, tooSlow.code());
        assertTrue(tooSlow.err().contains("max-upload-kbps"), tooSlow.err());

        assertEquals(0, run(data, "stream", "remove", "townhall").code());
        assertEquals(1, run(data, "stream", "remove", "townhall").code());
    }

    @Test
    void commandsAgainstARunningApplianceGoThroughItAndReachViewers() throws Exception {
        Path data = tmp.resolve("live");
        try (Appliance appliance = TestAppliance.start(data);
             TestViewer viewer = TestViewer.connect(URI.create("ws://127.0.0.1:" + appliance.httpUri().getPort() + "/ws"),
                     "127.0.1.9", null)) {
            assertEquals(0, run(data, "stream", "add", "townhall").code());
            viewer.joinStream("townhall");
            CliRun set = run(data, "stream", "set", "townhall", "--p2p", "off");
            assertEquals(0, set.code(), set.err());
            assertEquals("off", viewer.await("policy").at("/policy/p2p").asText());

            assertEquals(0, run(data, "site", "add", "10.30.0.0/16", "nantes").code());
            assertTrue(appliance.policies().listSites().stream().anyMatch(s -> s.site().equals("nantes")));
            Path csv = tmp.resolve("export.csv");
            assertEquals(0, run(data, "site", "export", "--out", csv.toString()).code());
            assertTrue(Files.readString(csv).contains("10.30.0.0/16,nantes"));
            CliRun bad = run(data, "site", "add", "nonsense", "x");
            assertEquals(2, bad.code());
        }
        assertTrue(!Files.exists(data.resolve("control.sock")), "socket removed at stop");
    }
}
