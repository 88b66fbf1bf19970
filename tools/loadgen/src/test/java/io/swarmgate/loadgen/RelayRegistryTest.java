package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RelayRegistryTest {

    @Test
    void deliveryToTheRightPairRecordsLatencyFromTheIntendedSendTime() {
        RelayRegistry r = new RelayRegistry();
        long seq = r.register("p-A", "p-B", 1_000_000);
        assertEquals(1, r.outstanding());
        assertEquals(RelayRegistry.Match.MATCHED, r.delivered(seq, "p-A", "p-B", 6_000_000));
        assertEquals(0, r.outstanding());
        assertEquals(5.0, r.latency().percentileMillis(50), 0.01);
        assertEquals(RelayRegistry.Match.UNKNOWN, r.delivered(seq, "p-A", "p-B", 7_000_000), "delivered twice");
    }

    @Test
    void wrongPairAndUnknownSequencesAreNotMeasured() {
        RelayRegistry r = new RelayRegistry();
        long seq = r.register("p-A", "p-B", 0);
        assertEquals(RelayRegistry.Match.WRONG_PAIR, r.delivered(seq, "p-C", "p-B", 1));
        assertEquals(RelayRegistry.Match.WRONG_PAIR, r.delivered(seq, "p-A", "p-C", 1));
        assertEquals(RelayRegistry.Match.UNKNOWN, r.delivered(seq + 1, "p-A", "p-B", 1));
        assertEquals(0, r.latency().count());
        assertEquals(1, r.outstanding(), "still waiting for the real delivery");
    }

    @Test
    void cancelledSendsAreNotLost() {
        RelayRegistry r = new RelayRegistry();
        r.cancel(r.register("p-A", "p-B", 0));
        assertEquals(0, r.outstanding());
        assertEquals(1, r.sent());
    }
}
