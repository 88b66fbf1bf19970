package io.swarmgate.signaling;

import io.swarmgate.integrity.SegmentUrl;
import io.swarmgate.mesh.NetworkType;
import java.util.List;

/**
 * Messages a viewer sends over {@code /ws}, signaling protocol v1 (docs/protocol.md). Instances
 * exist only after {@link SignalingCodec} validated every field, so the domain never sees
 * malformed input.
 */
public sealed interface ClientMessage {

    /** The wire {@code type} tag. */
    String type();

    /**
     * Facts a viewer declares; the appliance decides from them whether it uploads
     * ({@link io.swarmgate.mesh.SwarmRules#uploads}). {@code upload}: the page lets it upload;
     * {@code uploadKbps}: what it measured sending segments to neighbours, 0 before any transfer;
     * {@code saveData}: its user asked the browser to save data (never uploads); {@code mdns}: its
     * browser hides its host addresses behind mDNS names ({@code <uuid>.local}), which resolve
     * only on the same link.
     */
    record Capabilities(boolean upload, NetworkType network, long uploadKbps, boolean mdns, boolean saveData,
                        boolean fetching) {
        public Capabilities(boolean upload, NetworkType network, long uploadKbps) {
            this(upload, network, uploadKbps, false, false, false);
        }

        public Capabilities(boolean upload, NetworkType network, long uploadKbps, boolean mdns) {
            this(upload, network, uploadKbps, mdns, false, false);
        }

        public Capabilities(boolean upload, NetworkType network, long uploadKbps, boolean mdns, boolean saveData) {
            this(upload, network, uploadKbps, mdns, saveData, false);
        }

        /** Whether the viewer offers to serve its neighbours: its page lets it and its user does not save data. */
        public boolean offersUpload() {
            return upload && !saveData;
        }
    }

    /** A request to take back a peer id after a reconnect. */
    record Resume(String peerId, String secret) {
    }

    record Hello(int version, String stream, String sdk, Capabilities caps, String token, Resume resume)
            implements ClientMessage {
        @Override
        public String type() {
            return "hello";
        }
    }

    /** {@code kind} is offer, answer or candidate; exactly one of {@code sdp} and {@code candidate} is set. */
    record Signal(String to, String kind, String sdp, Candidate candidate) implements ClientMessage {
        @Override
        public String type() {
            return "signal";
        }
    }

    /** An ICE candidate as {@code RTCIceCandidate.toJSON()} gives it. */
    record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex) {
    }

    /** {@code segment}, optional: for {@code integrity}, the segment whose bytes failed the appliance's hash. */
    record Failing(String peer, String reason, String segment) implements ClientMessage {
        /** Why a pairing fails: no data channel opened, transfers stalled, bytes failed the hash, the neighbour left. */
        public static final List<String> REASONS = List.of("connect", "timeout", "integrity", "gone");

        @Override
        public String type() {
            return "failing";
        }
    }

    /** Asks for a segment's hash as the origin serves it; {@code segment} is echoed in the answer. */
    record HashRequest(String segment, SegmentUrl url) implements ClientMessage {
        @Override
        public String type() {
            return "hash";
        }
    }

    /**
     * A QoE report. {@code httpKbps}, optional, is the viewer's recent HTTP throughput, from which
     * the appliance tells later joiners of the site how fast its link to the origin is.
     */
    record Report(long httpBytes, long p2pBytes, long uploadedBytes, long stalls, long stallMs, long watchMs,
                  Long startupMs, long level, long bitrateKbps, long neighbours, Failures failures, Long httpKbps,
                  Long uploadKbps)
            implements ClientMessage {
        /** A report without the measured upload capacity (viewers that have not uploaded yet). */
        public Report(long httpBytes, long p2pBytes, long uploadedBytes, long stalls, long stallMs, long watchMs,
                      Long startupMs, long level, long bitrateKbps, long neighbours, Failures failures, Long httpKbps) {
            this(httpBytes, p2pBytes, uploadedBytes, stalls, stallMs, watchMs, startupMs, level, bitrateKbps,
                    neighbours, failures, httpKbps, null);
        }

        @Override
        public String type() {
            return "report";
        }
    }

    /**
     * Why P2P did not deliver, by reason, since the previous report; {@code unverified}: bytes
     * dropped because the appliance had no hash for the segment; {@code paused}: segments fetched
     * over HTTP while the viewer had paused P2P downloads, its own transfers stalling.
     */
    record Failures(long timeout, long integrity, long gone, long noHolder, long policy, long unverified, long paused) {
        public static final Failures NONE = new Failures(0, 0, 0, 0, 0, 0, 0);
    }

    /** The renditions the viewer's player loads now, by the keys its SDK gives them (at most 4, distinct). */
    record Tracks(List<String> tracks) implements ClientMessage {
        public Tracks {
            tracks = List.copyOf(tracks);
        }

        @Override
        public String type() {
            return "tracks";
        }
    }

    record Ping(Long t) implements ClientMessage {
        @Override
        public String type() {
            return "ping";
        }
    }

    record Bye() implements ClientMessage {
        @Override
        public String type() {
            return "bye";
        }
    }
}
