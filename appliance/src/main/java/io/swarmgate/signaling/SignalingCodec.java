package io.swarmgate.signaling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmgate.integrity.SegmentUrl;
import io.swarmgate.mesh.NetworkType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one codec of signaling protocol v1: decodes text frames into validated {@link ClientMessage}s
 * (every field's presence, type and limits checked here, so nothing malformed reaches the
 * coordinator) and encodes {@link ServerMessage}s. Stateless and thread-safe.
 */
public final class SignalingCodec {

    public static final int VERSION = 1;
    static final int MAX_STREAM = 2048;
    static final int MAX_SDK = 32;
    static final int MAX_TOKEN = 2048;
    static final int MAX_PEER_ID = 64;
    static final int MAX_SDP = 12 * 1024;
    static final int MAX_CANDIDATE = 512;
    static final int MAX_MID = 32;
    static final long MAX_UPLOAD_KBPS = 10_000_000;
    /*
     * Plausible maxima of one report's counters. A report covers about 10 s, but the SDK keeps
     * the counters of reports it could not send (socket down) and sends them together later, so
     * the bounds leave room for a day of watching: bytes 10 GB (8 s at 10 Gb/s, or a day at
     * 900 kb/s), durations a day, stalls one per second for a day. Anything beyond is a modified
     * client, rejected with invalid_field before it can skew the QoE figures.
     */
    static final long MAX_REPORT_BYTES = 10_000_000_000L;
    static final long MAX_REPORT_MS = 86_400_000L;
    static final long MAX_REPORT_STALLS = 86_400L;
    static final long MAX_REPORT_FAILURES = 1_000_000L;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8).maxStringLength(16 * 1024).maxNumberLength(32).build())
            .build());

    /** Parses and validates one text frame. */
    public ClientMessage decode(String text) throws ProtocolException {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame is not valid JSON: "
                    + e.getOriginalMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "frame must be a JSON object", null);
        }
        JsonNode typeNode = root.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "field 'type' must be a string", null);
        }
        String type = typeNode.asText();
        Fields f = new Fields(root, type);
        return switch (type) {
            case "hello" -> hello(f);
            case "signal" -> signal(f);
            case "failing" -> new ClientMessage.Failing(f.string("peer", MAX_PEER_ID, true),
                    f.oneOf("reason", ClientMessage.Failing.REASONS.toArray(String[]::new)),
                    f.optionalString("segment", SegmentUrl.MAX_LENGTH));
            case "hash" -> hashRequest(f);
            case "report" -> report(f);
            case "tracks" -> tracks(f);
            case "ping" -> new ClientMessage.Ping(f.optionalLong("t", 0, Long.MAX_VALUE));
            case "bye" -> new ClientMessage.Bye();
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    "unknown message type '" + truncate(type) + "'", null);
        };
    }

    private static ClientMessage.Hello hello(Fields f) throws ProtocolException {
        int version = (int) f.integer("v", 0, 1000);
        String stream = f.string("stream", MAX_STREAM, true);
        String sdk = f.optionalString("sdk", MAX_SDK);
        Fields caps = f.object("caps");
        ClientMessage.Capabilities capabilities = new ClientMessage.Capabilities(
                caps.bool("upload"),
                NetworkType.valueOf(caps.oneOf("network", "ethernet", "wifi", "cellular", "unknown")
                        .toUpperCase(Locale.ROOT)),
                caps.integer("uploadKbps", 0, MAX_UPLOAD_KBPS),
                caps.has("mdns") && caps.bool("mdns"),
                caps.has("saveData") && caps.bool("saveData"),
                caps.has("fetching") && caps.bool("fetching"));
        String token = f.optionalString("token", MAX_TOKEN);
        ClientMessage.Resume resume = null;
        if (f.has("resume")) {
            Fields r = f.object("resume");
            resume = new ClientMessage.Resume(r.string("peerId", MAX_PEER_ID, true), r.string("secret", 128, true));
        }
        return new ClientMessage.Hello(version, stream, sdk == null ? "" : sdk, capabilities, token, resume);
    }

    private static ClientMessage.Signal signal(Fields f) throws ProtocolException {
        String to = f.string("to", MAX_PEER_ID, true);
        String kind = f.oneOf("kind", "offer", "answer", "candidate");
        if (kind.equals("candidate")) {
            Fields c = f.object("candidate");
            Long index = c.optionalLong("sdpMLineIndex", 0, 64);
            return new ClientMessage.Signal(to, kind, null, new ClientMessage.Candidate(
                    c.string("candidate", MAX_CANDIDATE, false), c.optionalString("sdpMid", MAX_MID),
                    index == null ? null : index.intValue()));
        }
        return new ClientMessage.Signal(to, kind, f.string("sdp", MAX_SDP, true), null);
    }

    private static ClientMessage.HashRequest hashRequest(Fields f) throws ProtocolException {
        String segment = f.string("segment", SegmentUrl.MAX_LENGTH, true);
        SegmentUrl url = SegmentUrl.parse(segment).orElseThrow(() -> new ProtocolException(ErrorCode.INVALID_FIELD,
                "field 'segment' must be an absolute http or https URL without user info", "hash"));
        String range = f.optionalString("range", 31);
        if (range != null) {
            url = url.withRange(SegmentUrl.Range.parse(range).orElseThrow(() -> new ProtocolException(
                    ErrorCode.INVALID_FIELD, "field 'range' must be FIRST-LAST, inclusive byte offsets with FIRST <= LAST",
                    "hash")));
        }
        return new ClientMessage.HashRequest(segment, url);
    }

    /** Renditions one viewer plays at once: video, audio, and room for subtitles. */
    static final int MAX_TRACKS = 4;
    static final int MAX_TRACK = 64;

    /** The renditions the viewer's player loads: distinct keys without spaces or control characters. */
    private static ClientMessage.Tracks tracks(Fields f) throws ProtocolException {
        JsonNode list = f.node().get("tracks");
        if (list == null || !list.isArray() || list.size() > MAX_TRACKS) {
            throw f.invalid("tracks", "must be an array of at most " + MAX_TRACKS + " rendition keys");
        }
        List<String> tracks = new ArrayList<>(list.size());
        for (JsonNode item : list) {
            String track = item.isTextual() ? item.asText() : "";
            if (track.isEmpty() || track.length() > MAX_TRACK
                    || track.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
                throw f.invalid("tracks", "must hold strings of 1 to " + MAX_TRACK
                        + " characters without spaces or control characters");
            }
            if (tracks.contains(track)) {
                throw f.invalid("tracks", "names '" + truncate(track) + "' twice");
            }
            tracks.add(track);
        }
        return new ClientMessage.Tracks(tracks);
    }

    /** 100 Gbit/s: more than any viewer's link. */
    static final long MAX_REPORT_HTTP_KBPS = 100_000_000L;

    private static ClientMessage.Report report(Fields f) throws ProtocolException {
        Fields failures = f.has("failures") ? f.object("failures") : null;
        ClientMessage.Failures fail = failures == null ? ClientMessage.Failures.NONE : new ClientMessage.Failures(
                failures.counter("timeout", MAX_REPORT_FAILURES), failures.counter("integrity", MAX_REPORT_FAILURES),
                failures.counter("gone", MAX_REPORT_FAILURES), failures.counter("noHolder", MAX_REPORT_FAILURES),
                failures.counter("policy", MAX_REPORT_FAILURES),
                failures.has("unverified") ? failures.counter("unverified", MAX_REPORT_FAILURES) : 0,
                failures.has("paused") ? failures.counter("paused", MAX_REPORT_FAILURES) : 0);
        return new ClientMessage.Report(f.counter("httpBytes", MAX_REPORT_BYTES), f.counter("p2pBytes", MAX_REPORT_BYTES),
                f.counter("uploadedBytes", MAX_REPORT_BYTES), f.counter("stalls", MAX_REPORT_STALLS),
                f.counter("stallMs", MAX_REPORT_MS), f.counter("watchMs", MAX_REPORT_MS),
                f.optionalLong("startupMs", 0, 3_600_000), f.integer("level", 0, 64),
                f.integer("bitrateKbps", 0, 1_000_000), f.integer("neighbours", 0, 1000), fail,
                f.optionalLong("httpKbps", 0, MAX_REPORT_HTTP_KBPS),
                f.optionalLong("uploadKbps", 0, MAX_UPLOAD_KBPS));
    }

    /** Serialises a server message with {@code type} first and absent optional fields left out. */
    public String encode(ServerMessage message) {
        return encode(message, null);
    }

    /**
     * The same, with {@code stunUrl} (null: none) as the one ICE server of a {@code welcome}'s or
     * {@code policy}'s policy: the appliance's STUN responder as this viewer reaches it.
     */
    public String encode(ServerMessage message, String stunUrl) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", message.type());
        if (message instanceof ServerMessage.Welcome w) {
            o.put("v", VERSION).put("peerId", w.peerId()).put("secret", w.secret()).put("resumed", w.resumed())
                    .put("site", w.site()).put("streamId", w.streamId()).put("heartbeatMs", w.heartbeatMs());
            policy(o.putObject("policy"), w.policy(), stunUrl);
            if (w.siteHttpKbps() != null) {
                o.put("siteHttpKbps", w.siteHttpKbps());
            }
        } else if (message instanceof ServerMessage.Neighbour n) {
            o.put("peer", n.peer()).put("offer", n.offer());
            if (n.site() != null) {
                o.put("site", n.site());
            }
            if (n.fetching()) {
                o.put("fetching", true);
            }
        } else if (message instanceof ServerMessage.NeighbourGone g) {
            o.put("peer", g.peer()).put("reason", g.reason());
        } else if (message instanceof ServerMessage.Leaders l) {
            ArrayNode a = o.putArray("leaders");
            l.leaders().site().forEach(a::add);
            if (!l.leaders().tracks().isEmpty()) {
                ObjectNode tracks = o.putObject("tracks");
                l.leaders().tracks().forEach((track, ids) -> ids.forEach(tracks.putArray(track)::add));
            }
        } else if (message instanceof ServerMessage.RelayedSignal s) {
            o.put("from", s.from()).put("kind", s.kind());
            if (s.sdp() != null) {
                o.put("sdp", s.sdp());
            }
            if (s.candidate() != null) {
                ObjectNode c = o.putObject("candidate").put("candidate", s.candidate().candidate());
                if (s.candidate().sdpMid() != null) {
                    c.put("sdpMid", s.candidate().sdpMid());
                }
                if (s.candidate().sdpMLineIndex() != null) {
                    c.put("sdpMLineIndex", s.candidate().sdpMLineIndex());
                }
            }
        } else if (message instanceof ServerMessage.SegmentHash h) {
            o.put("segment", h.segment());
            if (h.range() != null) {
                o.put("range", h.range());
            }
            if (h.sha256() != null) {
                o.put("sha256", java.util.Base64.getEncoder().encodeToString(h.sha256())).put("length", h.length());
            } else {
                o.put("error", h.error());
            }
        } else if (message instanceof ServerMessage.PolicyUpdate p) {
            policy(o.putObject("policy"), p.policy(), stunUrl);
        } else if (message instanceof ServerMessage.Ready r) {
            o.put("v", VERSION).put("stun", r.stun());
        } else if (message instanceof ServerMessage.Pong p) {
            if (p.t() != null) {
                o.put("t", p.t());
            }
            o.put("serverTime", p.serverTime());
        } else if (message instanceof ServerMessage.Move m) {
            o.put("reason", m.reason()).put("withinMs", m.withinMs());
        } else if (message instanceof ServerMessage.Error e) {
            o.put("code", e.code().wire()).put("message", e.message());
            if (e.ref() != null) {
                o.put("ref", e.ref());
            }
        }
        return o.toString();
    }

    private static void policy(ObjectNode o, ServerMessage.Policy p, String stunUrl) {
        o.put("p2p", p.p2p()).put("maxNeighbours", p.maxNeighbours()).put("uploadOnCellular", p.uploadOnCellular())
                .put("uploadOnWifi", p.uploadOnWifi());
        o.putObject("upload").put("allowed", p.upload().allowed()).put("maxUploads", p.upload().maxUploads())
                .put("maxKbps", p.upload().maxKbps());
        ArrayNode iceServers = o.putArray("iceServers");
        if (stunUrl != null) {
            iceServers.addObject().put("urls", stunUrl);
        }
        ArrayNode params = o.putArray("viewerParams");
        p.viewerParams().forEach(params::add);
    }

    static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** Typed access to one JSON object's fields; every failure names the field. */
    private record Fields(JsonNode node, String type) {

        boolean has(String name) {
            JsonNode v = node.get(name);
            return v != null && !v.isNull();
        }

        ProtocolException invalid(String name, String what) {
            return new ProtocolException(ErrorCode.INVALID_FIELD, "'" + name + "' " + what, type);
        }

        private JsonNode require(String name) throws ProtocolException {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw invalid(name, "is required");
            }
            return v;
        }

        String string(String name, int max, boolean nonEmpty) throws ProtocolException {
            JsonNode v = require(name);
            if (!v.isTextual()) {
                throw invalid(name, "must be a string");
            }
            String s = v.asText();
            if (s.length() > max) {
                throw invalid(name, "is longer than " + max + " characters");
            }
            if (nonEmpty && s.isBlank()) {
                throw invalid(name, "must not be empty");
            }
            return s;
        }

        String optionalString(String name, int max) throws ProtocolException {
            return has(name) ? string(name, max, false) : null;
        }

        String oneOf(String name, String... allowed) throws ProtocolException {
            String s = string(name, 32, true);
            for (String a : allowed) {
                if (a.equals(s)) {
                    return s;
                }
            }
            throw invalid(name, "must be one of " + String.join(", ", allowed) + " but is '" + truncate(s) + "'");
        }

        boolean bool(String name) throws ProtocolException {
            JsonNode v = require(name);
            if (!v.isBoolean()) {
                throw invalid(name, "must be true or false");
            }
            return v.asBoolean();
        }

        long integer(String name, long min, long max) throws ProtocolException {
            JsonNode v = require(name);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw invalid(name, "must be a whole number");
            }
            long n = v.asLong();
            if (n < min || n > max) {
                throw invalid(name, "must be between " + min + " and " + max);
            }
            return n;
        }

        Long optionalLong(String name, long min, long max) throws ProtocolException {
            return has(name) ? integer(name, min, max) : null;
        }

        /** An optional non-negative count, 0 when absent. */
        long counter(String name, long max) throws ProtocolException {
            return has(name) ? integer(name, 0, max) : 0;
        }

        Fields object(String name) throws ProtocolException {
            JsonNode v = require(name);
            if (!v.isObject()) {
                throw invalid(name, "must be an object");
            }
            return new Fields(v, type);
        }
    }
}
