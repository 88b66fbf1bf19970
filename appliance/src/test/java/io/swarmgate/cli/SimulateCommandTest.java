package io.swarmgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SimulateCommandTest {

    @Test
    void printsOneJsonLineWithTheReportedKeysAndProgressOnStderr() throws Exception {
        CliRun r = CliRun.of("simulate", "--viewers", "300", "--sites", "5", "--seed", "3", "--duration", "60");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length, "stdout is one JSON line: " + r.out());
        JsonNode json = new ObjectMapper().readTree(lines[0]);
        for (String key : new String[] {"viewers", "sites", "wan_copies_per_segment_per_site",
            "wan_copies_per_segment_per_site_max", "neighbour_within_2s", "no_neighbour_share",
            "leader_reelection_p50_ms", "leader_reelection_p99_ms", "join_cpu_us", "heap_per_viewer_kib",
            "channel_within_2s", "first_channel_p50_ms", "first_channel_p99_ms", "wan_copies_start", "start_segments",
            "wan_link_peak_share", "wan_link_busy_sites"}) {
            assertTrue(json.has(key), key + " missing from " + lines[0]);
        }
        assertEquals(300, json.get("viewers").asInt());
        assertEquals(5, json.get("sites").asInt());
        assertTrue(r.err().contains("simulate: 300 viewers over 5 sites"), r.err());
        assertEquals(500, json.get("connect_median_ms").asInt(), "channels take the default set-up time");
    }

    @Test
    void impossibleSizesAreUsageErrorsNamingTheOption() {
        CliRun r = CliRun.of("simulate", "--viewers", "10", "--sites", "20");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--sites must be 1..viewers (10) but was 20"), r.err());
        CliRun shortEvent = CliRun.of("simulate", "--viewers", "10", "--sites", "2", "--duration", "5");
        assertEquals(ExitCodes.USAGE, shortEvent.code());
        assertTrue(shortEvent.err().contains("--duration must be 60..14400 seconds"), shortEvent.err());
        CliRun slowChannels = CliRun.of("simulate", "--viewers", "10", "--sites", "2", "--connect-ms", "9000");
        assertEquals(ExitCodes.USAGE, slowChannels.code());
        assertTrue(slowChannels.err().contains("--connect-ms must be 0..5000 but was 9000"), slowChannels.err());
        CliRun farBehind = CliRun.of("simulate", "--viewers", "10", "--sites", "2", "--start-segments", "11");
        assertEquals(ExitCodes.USAGE, farBehind.code());
        assertTrue(farBehind.err().contains("--start-segments must be 0..10 but was 11"), farBehind.err());
    }
}
