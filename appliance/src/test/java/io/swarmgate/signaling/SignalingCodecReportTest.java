package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** QoE reports carry plausible values only, and only for the stream the viewer joined. */
class SignalingCodecReportTest {

    private final SignalingCodec codec = new SignalingCodec();

    private static String report(String fields) {
        return "{\"type\":\"report\",\"level\":1,\"bitrateKbps\":3000,\"neighbours\":2" + fields + "}";
    }

    @Test
    void theLargestPlausibleValuesAreAccepted() throws Exception {
        ClientMessage.Report r = (ClientMessage.Report) codec.decode(report(",\"httpBytes\":10000000000,"
                + "\"p2pBytes\":10000000000,\"uploadedBytes\":10000000000,\"stalls\":86400,\"stallMs\":86400000,"
                + "\"watchMs\":86400000,\"failures\":{\"timeout\":1000000,\"integrity\":0,\"gone\":0,\"noHolder\":0,\"policy\":0}"));
        assertEquals(10_000_000_000L, r.httpBytes());
        assertEquals(86_400L, r.stalls());
        assertEquals(1_000_000L, r.failures().timeout());
        assertEquals(0L, r.failures().paused(), "paused is optional: an older SDK leaves it out");
        assertEquals(1_000_000L, ((ClientMessage.Report) codec.decode(report(",\"failures\":{\"timeout\":0,\"integrity\":0,"
                + "\"gone\":0,\"noHolder\":0,\"policy\":0,\"paused\":1000000}"))).failures().paused());
        assertEquals(null, r.uploadKbps(), "no upload measured yet");
        assertEquals(10_000_000L, ((ClientMessage.Report) codec.decode(report(",\"uploadKbps\":10000000"))).uploadKbps());
    }

    @ParameterizedTest
    @CsvSource({
        "httpBytes, 10000000001", "p2pBytes, 10000000001", "uploadedBytes, 10000000001",
        "httpBytes, -1", "p2pBytes, -5", "stalls, 86401", "stalls, -1", "stallMs, 86400001",
        "watchMs, 86400001", "watchMs, -1", "startupMs, 3600001", "level, 65", "bitrateKbps, 1000001",
        "uploadKbps, 10000001", "uploadKbps, -1", "uploadKbps, 1.5",
    })
    void implausibleValuesAreRejectedNamingTheField(String field, String value) {
        Map<String, String> fields = new LinkedHashMap<>(Map.of("level", "1", "bitrateKbps", "3000", "neighbours", "2"));
        fields.put(field, value);
        String json = fields.entrySet().stream().map(f -> "\"" + f.getKey() + "\":" + f.getValue())
                .collect(Collectors.joining(",", "{\"type\":\"report\",", "}"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(json));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"timeout, 1000001", "integrity, -1", "noHolder, 1000001", "policy, 99999999", "paused, 1000001", "paused, -1"})
    void implausibleFailureCountsAreRejectedNamingTheField(String field, String value) {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode(report(",\"failures\":{\"" + field + "\":" + value + "}")));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    /**
     * A report cannot say which stream, site or viewer it is for: the codec reads no such field
     * and the record has none, so SignalingService.dispatch accounts it to the sender's joined
     * stream, site and peer id (its membership), whatever the client writes.
     */
    @Test
    void aReportCannotNameAnotherStream() throws Exception {
        ClientMessage.Report r = (ClientMessage.Report) codec.decode(report(
                ",\"httpBytes\":100,\"stream\":\"other\",\"streamId\":\"other\",\"site\":\"x\",\"peerId\":\"p-X\""));
        assertEquals(100, r.httpBytes());
        List<String> components = Arrays.stream(ClientMessage.Report.class.getRecordComponents())
                .map(c -> c.getName().toLowerCase()).toList();
        assertTrue(components.stream().noneMatch(n -> n.contains("stream") || n.contains("site") || n.contains("peer")),
                components.toString());
    }
}
