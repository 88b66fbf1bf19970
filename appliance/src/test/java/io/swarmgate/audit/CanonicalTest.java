package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalTest {

    @Test
    void detailsAreSortedCompactAndAsciiOnlyAsPythonPrintsThem() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("z", List.of(1, "two", true));
        d.put("a", "Zürich \"HQ\"\n\u0001\u007f😀");
        d.put("m", null);
        d.put("n", Map.of("y", 2L, "x", -3));
        // python3 -c 'import json;print(json.dumps({"z":[1,"two",True],"a":"Zürich \"HQ\"\n\x01\x7f😀","m":None,
        //   "n":{"y":2,"x":-3}},sort_keys=True,separators=(",",":"),ensure_ascii=True))'
        assertEquals("{\"a\":\"Z\\u00fcrich \\\"HQ\\\"\\n\\u0001\\u007f\\ud83d\\ude00\",\"m\":null,"
                + "\"n\":{\"x\":-3,\"y\":2},\"z\":[1,\"two\",true]}", Canonical.details(d));
    }

    @Test
    void keysSortByCodePointLikePython() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("\uffff", 1);
        d.put("😀", 2);
        // U+FFFF < U+1F600 by code point, although its UTF-16 unit is larger than the high surrogate.
        assertEquals("{\"\\uffff\":1,\"\\ud83d\\ude00\":2}", Canonical.details(d));
    }

    @Test
    void fractionalNumbersAreRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Canonical.details(Map.of("x", 1.5)));
        assertThrows(IllegalArgumentException.class, () -> Canonical.json(new ObjectMapper().readTree("{\"x\":1.0}")));
    }

    @Test
    void anEntrysHashCoversEveryFieldAndThePreviousHash() {
        Instant t = Instant.parse("2026-12-03T10:15:30Z");
        String canonical = Canonical.entry(7, t, "alice", "10.0.0.5", "stream.changed", "news", "success", "{}");
        assertEquals("{\"action\":\"stream.changed\",\"actor\":\"alice\",\"details\":{},\"outcome\":\"success\","
                + "\"seq\":7,\"source\":\"10.0.0.5\",\"target\":\"news\",\"time\":\"2026-12-03T10:15:30.000Z\"}", canonical);
        // python3: hashlib.sha256(bytes(32) + canonical.encode()).hexdigest()
        String h = Canonical.chain(Canonical.GENESIS, canonical);
        assertEquals("2683067b77382c0367951181b3710b27ee90cbcaab4504790f8f9134d09a1c06", h);
        assertNotEquals(h, Canonical.chain(Canonical.chain(Canonical.GENESIS, "x"), canonical));
        assertNotEquals(h, Canonical.chain(Canonical.GENESIS,
                Canonical.entry(7, t, "alice", null, "stream.changed", "news", "success", "{}")));
    }

    @Test
    void checkpointPayloadIsCanonical() {
        assertEquals("{\"hash\":\"ab\",\"seq\":3,\"time\":\"2026-12-03T10:15:30.120Z\"}",
                Canonical.checkpoint(3, "ab", Instant.parse("2026-12-03T10:15:30.12Z")));
    }
}
