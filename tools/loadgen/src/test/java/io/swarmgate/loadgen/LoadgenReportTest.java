package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadgenReportTest {

    private static final List<String> CONTRACT = List.of("peers", "join_p50_ms", "join_p99_ms", "relay_p99_ms",
            "msgs_per_s", "heap_per_peer_kib", "errors");

    private static LoadgenReport report(Double heap, long errors) {
        return new LoadgenReport(20_000, 20_000, 200, 500, 10, 3.25, 41.5, 12.0, 1.5, 7.75, 2000, 0, 0,
                12_345.678, heap, errors);
    }

    @Test
    void oneLineWithTheContractFieldsFirstInOrder() throws Exception {
        String line = report(13.256, 0).toJsonLine();
        assertFalse(line.contains("\n"));
        JsonNode o = new ObjectMapper().readTree(line);
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        assertEquals(CONTRACT, names.subList(0, CONTRACT.size()));
        assertEquals(20_000, o.get("peers").asInt());
        assertEquals(3.25, o.get("join_p50_ms").asDouble());
        assertEquals(41.5, o.get("join_p99_ms").asDouble());
        assertEquals(7.75, o.get("relay_p99_ms").asDouble());
        assertEquals(12_345.7, o.get("msgs_per_s").asDouble());
        assertEquals(13.26, o.get("heap_per_peer_kib").asDouble());
        assertEquals(0, o.get("errors").asLong());
        assertEquals(200, o.get("subnets").asInt());
        assertEquals(500.0, o.get("join_rate").asDouble());
        assertEquals(10, o.get("duration_s").asInt());
    }

    @Test
    void missingFiguresAreJsonNull() throws Exception {
        LoadgenReport nothing = new LoadgenReport(5, 0, 1, 500, 10, null, null, null, null, null, 0, 0, 0, 0, null, 5);
        String line = nothing.toJsonLine();
        assertTrue(line.contains("\"heap_per_peer_kib\":null"), line);
        assertTrue(line.contains("\"join_p99_ms\":null"), line);
        assertTrue(new ObjectMapper().readTree(line).get("relay_p99_ms").isNull());
        assertFalse(nothing.clean());
    }

    @Test
    void perStreamFiguresOnlyUnderStreams() throws Exception {
        assertFalse(report(null, 0).toJsonLine().contains("per_stream"));
        java.util.Map<String, LoadgenReport.StreamFigures> perStream = new java.util.TreeMap<>();
        perStream.put("s-0", new LoadgenReport.StreamFigures(10, 8, 2.5, 9.0));
        perStream.put("s-1", new LoadgenReport.StreamFigures(9, 0, null, null));
        LoadgenReport r = new LoadgenReport(19, 19, 2, 500, 10, 2.5, 9.0, 1.0, 1.0, 1.0, 1, 0, 0, 1, null, 0,
                perStream);
        JsonNode o = new ObjectMapper().readTree(r.toJsonLine());
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        assertEquals(CONTRACT, names.subList(0, CONTRACT.size()));
        assertEquals(2, o.get("streams").asInt());
        assertEquals(10, o.get("per_stream").get("s-0").get("joined").asInt());
        assertEquals(8, o.get("per_stream").get("s-0").get("join_samples").asLong());
        assertEquals(9.0, o.get("per_stream").get("s-0").get("join_p99_ms").asDouble());
        assertTrue(o.get("per_stream").get("s-1").get("join_p99_ms").isNull());
    }

    @Test
    void cleanOnlyWhenAllJoinedWithoutErrorsOrLostRelays() {
        assertTrue(report(null, 0).clean());
        assertFalse(report(null, 1).clean());
        assertFalse(new LoadgenReport(10, 9, 1, 500, 10, 1.0, 1.0, 1.0, 1.0, 1.0, 1, 0, 0, 1, null, 0).clean());
        assertFalse(new LoadgenReport(10, 10, 1, 500, 10, 1.0, 1.0, 1.0, 1.0, 1.0, 1, 1, 0, 1, null, 0).clean());
    }

    @Test
    void heapPerPeerIsTheDifferenceOverPeersInKib() {
        assertEquals(16.0, ServerHeapProbe.perPeerKib(100L << 20, (100L << 20) + 1000 * 16 * 1024, 1000));
        assertEquals(null, ServerHeapProbe.perPeerKib(-1, 5, 10));
        assertEquals(null, ServerHeapProbe.perPeerKib(1, 5, 0));
    }
}
