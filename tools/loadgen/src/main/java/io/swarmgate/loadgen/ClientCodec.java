package io.swarmgate.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The viewer's side of signaling protocol v1 (docs/protocol.md): encodes what a viewer sends and
 * decodes what the appliance sends — the mirror image of {@code signaling.SignalingCodec}. It reads
 * only the fields the load generator acts on; everything else is accepted and ignored, as a
 * forward-compatible client would. Stateless and thread-safe.
 */
public final class ClientCodec {

    public static final int VERSION = 1;
    static final String SDK = "loadgen";
    static final int UPLOAD_KBPS = 20_000;
    /** The port and priority of a typical Chromium host candidate; only the address matters here. */
    static final String CANDIDATE_FORMAT = "candidate:%d 1 udp 2122260223 %s 50000 typ host";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public String hello(String stream) {
        ObjectNode o = message("hello").put("v", VERSION).put("stream", stream).put("sdk", SDK);
        o.putObject("caps").put("upload", true).put("network", "ethernet").put("uploadKbps", UPLOAD_KBPS);
        return o.toString();
    }

    public String ping(long t) {
        return message("ping").put("t", t).toString();
    }

    /**
     * A host ICE candidate for neighbour {@code to}. The candidate's foundation carries
     * {@code seq}, so the receiving viewer can find the send time in the {@link RelayRegistry};
     * a foundation is any 1–32 ice-chars, so this is still an ordinary host candidate.
     */
    public String candidate(String to, long seq, String hostAddress) {
        ObjectNode o = message("signal").put("to", to).put("kind", "candidate");
        o.putObject("candidate").put("candidate", String.format(CANDIDATE_FORMAT, seq, hostAddress))
                .put("sdpMid", "0").put("sdpMLineIndex", 0);
        return o.toString();
    }

    public String bye() {
        return message("bye").toString();
    }

    private static ObjectNode message(String type) {
        return MAPPER.createObjectNode().put("type", type);
    }

    /** Decodes one frame from the appliance; a frame that is not a typed JSON object is {@link Incoming.Malformed}. */
    public Incoming decode(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Incoming.Malformed(e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !root.path("type").isTextual()) {
            return new Incoming.Malformed("not a JSON object with a string 'type'");
        }
        String type = root.get("type").asText();
        return switch (type) {
            case "welcome" -> new Incoming.Welcome(root.path("peerId").asText(""), root.path("site").asText(""),
                    root.path("heartbeatMs").asLong(0));
            case "neighbour" -> new Incoming.Neighbour(root.path("peer").asText(""), root.path("offer").asBoolean());
            case "neighbour-gone" -> new Incoming.NeighbourGone(root.path("peer").asText(""),
                    root.path("reason").asText(""));
            case "signal" -> new Incoming.Signal(root.path("from").asText(""), root.path("kind").asText(""),
                    root.path("candidate").path("candidate").asText(""));
            case "error" -> new Incoming.Error(root.path("code").asText(""), root.path("message").asText(""),
                    root.path("ref").asText(null));
            default -> new Incoming.Other(type);
        };
    }

    /**
     * The sequence number a {@link #candidate} frame put into the candidate's foundation, or -1
     * when the candidate did not come from this load generator.
     */
    public static long sequenceOf(String candidate) {
        if (!candidate.startsWith("candidate:")) {
            return -1;
        }
        int end = candidate.indexOf(' ');
        try {
            return Long.parseLong(candidate.substring("candidate:".length(), end < 0 ? candidate.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
