package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A whole run against {@link StubSignalingServer}: source addresses, joins, heartbeats, relays, bye. */
class LoadGeneratorIT {

    @Test
    @Timeout(60)
    void aRunFromManySourceAddressesJoinsRelaysAndLeavesCleanly() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (StubSignalingServer stub = new StubSignalingServer(200)) {
            LoadgenSettings settings = new LoadgenSettings(stub.uri(), null, 300, 3, 500, 2, "loadgen", 100, null,
                    null, 0);
            LoadgenReport report;
            try (LoadGenerator generator = new LoadGenerator(settings,
                    new PrintStream(progress, true, StandardCharsets.UTF_8))) {
                report = generator.run();
                assertEquals(java.util.Map.of(), generator.errorKinds(), progress.toString(StandardCharsets.UTF_8));
            }
            assertTrue(report.clean(), report.toJsonLine());
            assertEquals(300, report.joined());
            assertEquals(0, report.joinedWithoutNeighbour());
            assertNotNull(report.joinP99Ms());
            assertNotNull(report.relayP99Ms());
            assertTrue(report.relaysSent() >= 150, "about 100/s for 2 s: " + report.relaysSent());
            assertEquals(report.relaysSent(), stub.relayed.get());
            assertNull(report.heapPerPeerKib());
            // Every viewer pings on the stub's 200 ms heartbeat while it holds: counted, not timed.
            assertTrue(stub.pings.get() >= 300, "heartbeats are sent: " + stub.pings.get() + " " + report.toJsonLine());

            // 300 viewers over 3 subnets: 100 distinct addresses in each of 127.0.1-3.0/24.
            assertEquals(300, stub.clientAddresses.size());
            Set<String> subnets = stub.clientAddresses.stream().map(a -> a.substring(0, a.lastIndexOf('.')))
                    .collect(Collectors.toSet());
            assertEquals(Set.of("127.0.1", "127.0.2", "127.0.3"), subnets);
            assertEquals(300, stub.byes.get(), "every viewer said bye");
        }
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("joined 300/300"), progress.toString());
    }
}
