package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.mesh.NetworkType;
import io.swarmgate.signaling.ClientMessage;
import io.swarmgate.signaling.ErrorCode;
import io.swarmgate.signaling.ServerMessage;
import io.swarmgate.signaling.SignalingCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the load generator sends must pass the appliance's own codec (the executable form of
 * docs/protocol.md), and what that codec encodes must decode here.
 */
class ClientCodecTest {

    private final ClientCodec codec = new ClientCodec();
    private final SignalingCodec server = new SignalingCodec();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void helloIsAValidVersion1HelloOfAnEthernetUploader() throws Exception {
        String text = codec.hello("townhall");
        ClientMessage.Hello hello = assertInstanceOf(ClientMessage.Hello.class, server.decode(text));
        assertEquals(1, hello.version());
        assertEquals("townhall", hello.stream());
        assertEquals("loadgen", hello.sdk());
        assertEquals(new ClientMessage.Capabilities(true, NetworkType.ETHERNET, 20_000), hello.caps());
        assertNull(hello.token());
        assertNull(hello.resume());
        assertEquals("hello", json.readTree(text).get("type").asText(), "type comes first and is the tag");
    }

    @Test
    void candidateIsAHostCandidateOnTheViewersOwnAddressCarryingTheSequence() throws Exception {
        String text = codec.candidate("p-B", 4711, "127.0.3.5");
        ClientMessage.Signal signal = assertInstanceOf(ClientMessage.Signal.class, server.decode(text));
        assertEquals("p-B", signal.to());
        assertEquals("candidate", signal.kind());
        assertNull(signal.sdp());
        assertEquals(new ClientMessage.Candidate("candidate:4711 1 udp 2122260223 127.0.3.5 50000 typ host", "0", 0),
                signal.candidate());
        assertEquals(4711, ClientCodec.sequenceOf(signal.candidate().candidate()));
    }

    @Test
    void pingAndByeAreValid() throws Exception {
        assertEquals(new ClientMessage.Ping(123L), server.decode(codec.ping(123)));
        assertInstanceOf(ClientMessage.Bye.class, server.decode(codec.bye()));
        JsonNode bye = json.readTree(codec.bye());
        assertEquals(1, bye.size(), "bye has no fields but its type");
    }

    @Test
    void decodesEveryServerMessageTheLoadGeneratorActsOn() {
        ServerMessage.Policy policy = new ServerMessage.Policy("on", 6, false, true,
                new ServerMessage.Upload(true, 4, 20_000), java.util.List.of("token"));
        assertEquals(new Incoming.Welcome("p-A", "127.0.1.0/24", 15_000), codec.decode(server.encode(
                new ServerMessage.Welcome("p-A", "s3cr3t", false, "127.0.1.0/24", "loadgen", 15_000, policy, 2_000L))));
        assertEquals(new Incoming.Neighbour("p-B", true),
                codec.decode(server.encode(new ServerMessage.Neighbour("p-B", true, "paris"))));
        assertEquals(new Incoming.NeighbourGone("p-B", "left"),
                codec.decode(server.encode(new ServerMessage.NeighbourGone("p-B", "left"))));
        String line = "candidate:9 1 udp 2122260223 127.0.1.1 50000 typ host";
        assertEquals(new Incoming.Signal("p-A", "candidate", line), codec.decode(server.encode(
                new ServerMessage.RelayedSignal("p-A", "candidate", null, new ClientMessage.Candidate(line, "0", 0)))));
        assertEquals(new Incoming.Error("rate_limited", "slow down", "signal"), codec.decode(server.encode(
                new ServerMessage.Error(ErrorCode.RATE_LIMITED, "slow down", "signal"))));
        assertEquals(new Incoming.Other("pong"), codec.decode(server.encode(new ServerMessage.Pong(1L, 2L))));
        assertEquals(new Incoming.Other("leaders"),
                codec.decode(server.encode(new ServerMessage.Leaders(List.of("p-A")))));
    }

    @Test
    void garbageFromTheServerIsMalformedNotAnException() {
        assertInstanceOf(Incoming.Malformed.class, codec.decode("{not json"));
        assertInstanceOf(Incoming.Malformed.class, codec.decode("[1,2]"));
        assertInstanceOf(Incoming.Malformed.class, codec.decode("{\"type\":7}"));
        assertInstanceOf(Incoming.Other.class, codec.decode("{\"type\":\"from-the-future\"}"));
    }

    @Test
    void foreignCandidatesHaveNoSequence() {
        assertEquals(-1, ClientCodec.sequenceOf("candidate:abc 1 udp 1 10.0.0.1 1 typ host"));
        assertEquals(-1, ClientCodec.sequenceOf(""));
        assertTrue(ClientCodec.sequenceOf("candidate:0 1 udp 1 10.0.0.1 1 typ host") == 0);
    }
}
