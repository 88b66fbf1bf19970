package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.config.ConfigKey;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every bad input gets its documented error code or close code, and a well-behaved viewer on the
 * same appliance notices nothing.
 */
@Timeout(120)
class SignalingAbuseIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/abuse/master.m3u8";

    private TestViewer wellBehaved() throws Exception {
        TestViewer good = viewer("127.0.9.1");
        good.joinStream(STREAM);
        return good;
    }

    private static void stillServed(TestViewer good) throws Exception {
        good.drain();
        good.send("{\"type\":\"ping\",\"t\":7}");
        assertEquals(7, good.await("pong").get("t").asLong());
    }

    @Test
    void eachMalformedMessageGetsItsDocumentedCode() throws Exception {
        start(Map.of());
        TestViewer good = wellBehaved();
        TestViewer bad = viewer("127.0.9.2");

        bad.send("{\"type\":\"ping\"}");
        bad.awaitError("hello_required");
        bad.send("not json at all");
        bad.awaitError("invalid_json");
        bad.send("[1,2,3]");
        bad.awaitError("invalid_json");
        bad.send("{\"no\":\"type\"}");
        bad.awaitError("unknown_type");
        bad.send("{\"type\":\"teleport\"}");
        bad.awaitError("unknown_type");
        bad.send("{\"type\":\"hello\",\"v\":1,\"stream\":\"x\"}");
        assertTrue(bad.awaitError("invalid_field").get("message").asText().contains("'caps'"));
        bad.send("{\"type\":\"hello\",\"v\":\"one\",\"stream\":\"x\",\"caps\":{}}");
        assertTrue(bad.awaitError("invalid_field").get("message").asText().contains("'v'"));
        bad.send("{\"type\":\"hello\",\"v\":1,\"stream\":\"x\",\"caps\":{\"upload\":\"yes\",\"network\":\"wifi\",\"uploadKbps\":1}}");
        assertTrue(bad.awaitError("invalid_field").get("message").asText().contains("'upload'"));
        bad.send("{\"type\":\"hello\",\"v\":1,\"stream\":\"x\",\"caps\":{\"upload\":true,\"network\":\"carrier-pigeon\",\"uploadKbps\":1}}");
        assertTrue(bad.awaitError("invalid_field").get("message").asText().contains("'network'"));
        bad.sendBinary(new byte[] {1, 2, 3});
        bad.awaitError("invalid_json");

        bad.joinStream(STREAM);
        bad.send(TestViewer.hello(STREAM, true, "wifi"));
        bad.awaitError("already_joined");
        bad.send("{\"type\":\"signal\",\"to\":\"p-nobody\",\"kind\":\"offer\",\"sdp\":\"v=0\"}");
        bad.awaitError("not_neighbour");
        bad.send("{\"type\":\"failing\",\"peer\":\"p-nobody\",\"reason\":\"timeout\"}");
        bad.awaitError("not_neighbour");
        bad.send("{\"type\":\"signal\",\"to\":\"p-x\",\"kind\":\"offer\"}");
        assertTrue(bad.awaitError("invalid_field").get("message").asText().contains("'sdp'"));
        bad.send("{\"type\":\"report\",\"httpBytes\":-5}");
        bad.awaitError("invalid_field");
        assertTrue(bad.isOpen(), "single mistakes do not close the socket");
        stillServed(good);
    }

    @Test
    void unsupportedVersionClosesWith4005() throws Exception {
        start(Map.of());
        TestViewer bad = viewer("127.0.9.2");
        bad.send("{\"type\":\"hello\",\"v\":2,\"stream\":\"x\",\"caps\":{\"upload\":true,\"network\":\"wifi\",\"uploadKbps\":1}}");
        bad.awaitError("unsupported_version");
        assertEquals(CloseCodes.UNSUPPORTED_VERSION, bad.awaitClose());
    }

    @Test
    void oversizedFrameClosesWith1009() throws Exception {
        start(Map.of());
        TestViewer good = wellBehaved();
        TestViewer bad = viewer("127.0.9.2");
        bad.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(17 * 1024) + "\"}");
        assertEquals(CloseCodes.TOO_BIG, bad.awaitClose());
        stillServed(good);
    }

    @Test
    void repeatedInvalidMessagesCloseWith4000() throws Exception {
        start(Map.of());
        TestViewer good = wellBehaved();
        TestViewer bad = viewer("127.0.9.2");
        for (int i = 0; i <= SignalingService.MAX_BAD_MESSAGES; i++) {
            bad.send("garbage " + i);
        }
        assertEquals(CloseCodes.TOO_MANY_ERRORS, bad.awaitClose());
        stillServed(good);
    }

    @Test
    void floodingIsRateLimitedAndFinallyClosedWith4001() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_MESSAGES_PER_SECOND, "5", ConfigKey.SIGNALING_MESSAGE_BURST, "10"));
        TestViewer good = wellBehaved();
        TestViewer bad = viewer("127.0.9.2");
        bad.joinStream(STREAM);
        for (int i = 0; i < 20; i++) {
            bad.send("{\"type\":\"ping\"}");
        }
        bad.awaitError("rate_limited");
        for (int i = 0; i < 200 && bad.isOpen(); i++) {
            try {
                bad.send("{\"type\":\"ping\"}");
            } catch (ExecutionException closedMeanwhile) {
                break; // the appliance closed it between isOpen() and this send: what the test waits for
            }
        }
        assertEquals(CloseCodes.RATE_LIMIT, bad.awaitClose());
        stillServed(good);
    }

    @Test
    void connectionsBeyondThePerAddressCapAreClosedWith4002() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_MAX_CONNECTIONS_PER_IP, "3"));
        TestViewer good = wellBehaved();
        for (int i = 0; i < 3; i++) {
            viewer("127.0.9.3");
        }
        TestViewer fourth = viewer("127.0.9.3");
        assertEquals(CloseCodes.TOO_MANY_CONNECTIONS, fourth.awaitClose());
        TestViewer otherAddress = viewer("127.0.9.4");
        otherAddress.joinStream(STREAM);
        stillServed(good);
    }

    @Test
    void connectionsBeyondThePerIpv6Slash64CapAreClosedWith4002() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_TRUSTED_PROXIES, "127.0.0.0/8",
                ConfigKey.SIGNALING_MAX_CONNECTIONS_PER_IPV6_64, "2"));
        TestViewer good = wellBehaved();
        // One host rotating through addresses of its /64 (seen through a trusted proxy).
        forwardedViewer("127.0.9.5", "2001:db8:1:2::1");
        forwardedViewer("127.0.9.5", "2001:db8:1:2::2").joinStream(STREAM);
        TestViewer third = forwardedViewer("127.0.9.5", "2001:db8:1:2:ffff::3");
        assertEquals(CloseCodes.TOO_MANY_CONNECTIONS, third.awaitClose());
        forwardedViewer("127.0.9.5", "2001:db8:1:3::1").joinStream(STREAM);
        stillServed(good);
    }

    @Test
    void connectionsBeyondTheTotalCapAreToldToTryAgainLater() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_MAX_CONNECTIONS, "2"));
        TestViewer good = wellBehaved();
        viewer("127.0.9.6");
        TestViewer third = viewer("127.0.9.7");
        assertEquals(CloseCodes.TRY_AGAIN_LATER, third.awaitClose());
        stillServed(good);
    }

    @Test
    void silentConnectionsAreClosedForMissingHello() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_HELLO_TIMEOUT_MS, "1000"));
        TestViewer silent = viewer("127.0.9.2");
        assertEquals(CloseCodes.HELLO_TIMEOUT, silent.awaitClose());
    }

    @Test
    void missedHeartbeatsCloseWith4004() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_HEARTBEAT_MS, "1000"));
        TestViewer quiet = viewer("127.0.9.2");
        JsonNode welcome = quiet.joinStream(STREAM);
        assertEquals(1000, welcome.get("heartbeatMs").asLong());
        assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, quiet.awaitClose());
    }

    /**
     * Thousands of random and mutated frames from one connection at a time: every one is answered
     * or the socket is closed with a documented code, the appliance never fails, and a
     * well-behaved viewer keeps being served throughout.
     */
    @Test
    void fuzzedFramesNeverHarmTheApplianceOrOtherViewers() throws Exception {
        start(Map.of(ConfigKey.SIGNALING_MESSAGES_PER_SECOND, "10000", ConfigKey.SIGNALING_MESSAGE_BURST, "100000"));
        TestViewer good = wellBehaved();
        Random random = new Random(20261122);
        List<String> seeds = List.of(
                TestViewer.hello(STREAM, true, "ethernet"),
                "{\"type\":\"signal\",\"to\":\"p-abc\",\"kind\":\"candidate\",\"candidate\":{\"candidate\":"
                        + "\"candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}",
                "{\"type\":\"report\",\"httpBytes\":1,\"p2pBytes\":2,\"uploadedBytes\":3,\"stalls\":0,\"stallMs\":0,"
                        + "\"watchMs\":10,\"level\":0,\"bitrateKbps\":1,\"neighbours\":0,\"failures\":{\"timeout\":1}}",
                "{\"type\":\"ping\",\"t\":1}", "{\"type\":\"failing\",\"peer\":\"p-x\",\"reason\":\"gone\"}",
                "{\"type\":\"bye\"}");
        int frames = 0;
        int closes = 0;
        TestViewer fuzzer = null;
        while (frames < 3000) {
            if (fuzzer == null || !fuzzer.isOpen()) {
                if (fuzzer != null) {
                    int code = fuzzer.awaitClose();
                    assertTrue(List.of(CloseCodes.NORMAL, CloseCodes.POLICY_VIOLATION, CloseCodes.TOO_BIG, 1007,
                            CloseCodes.TOO_MANY_ERRORS, CloseCodes.RATE_LIMIT, CloseCodes.UNSUPPORTED_VERSION).contains(code),
                            "documented close code, got " + code);
                    closes++;
                }
                fuzzer = viewer("127.0.9." + (10 + closes % 200));
            }
            String frame = mutate(seeds.get(random.nextInt(seeds.size())), random);
            try {
                fuzzer.send(frame);
            } catch (Exception closedMeanwhile) {
                continue;
            }
            frames++;
            if (frames % 500 == 0) {
                stillServed(good);
            }
        }
        stillServed(good);
        assertTrue(appliance.signaling().connections() >= 1);
    }

    private static String mutate(String seed, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && s.length() > 0; i++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(6)) {
                case 0 -> s.deleteCharAt(at);
                case 1 -> s.insert(at, (char) random.nextInt(0x80));
                case 2 -> s.setCharAt(at, "{}[]\":,0123456789-tfn\\".charAt(random.nextInt(22)));
                case 3 -> s.insert(at, "\"" + "y".repeat(random.nextInt(3000)) + "\"");
                case 4 -> s.setLength(at);
                default -> s.insert(at, random.nextBoolean() ? "1e309" : "{\"a\":[[[[[[[[[[]]]]]]]]]]}");
            }
        }
        return random.nextInt(20) == 0 ? new String(new char[] {(char) random.nextInt(0xD800)}) : s.toString();
    }
}
