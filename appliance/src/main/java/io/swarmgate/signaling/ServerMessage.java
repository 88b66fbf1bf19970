package io.swarmgate.signaling;

import io.swarmgate.mesh.SiteLeaders;
import java.util.List;
import java.util.Map;

/** Messages the appliance sends over {@code /ws}, signaling protocol v1 (docs/protocol.md). */
public sealed interface ServerMessage {

    String type();

    /**
     * The effective policy a viewer follows. Its {@code iceServers} are not part of it: the codec
     * adds the appliance's STUN responder per connection ({@link SignalingCodec#encode(ServerMessage, String)}). {@code uploadOnCellular} and {@code uploadOnWifi} are the stream's rules,
     * {@code upload} what they mean for this viewer; {@code viewerParams} the query parameters left
     * out of a segment's identity (docs/protocol.md "Segment identity").
     */
    record Policy(String p2p, int maxNeighbours, boolean uploadOnCellular, boolean uploadOnWifi, Upload upload,
                  List<String> viewerParams) {
        public Policy {
            viewerParams = List.copyOf(viewerParams);
        }

        /** The same policy with P2P off: what a barred viewer is told. */
        Policy off() {
            return new Policy("off", maxNeighbours, uploadOnCellular, uploadOnWifi,
                    new Upload(false, upload.maxUploads(), upload.maxKbps()), viewerParams);
        }
    }

    /**
     * The appliance's upload decision for one viewer: {@code allowed} whether it serves its
     * neighbours at all, at most {@code maxUploads} segments at a time and {@code maxKbps} in total.
     */
    record Upload(boolean allowed, int maxUploads, int maxKbps) {
    }

    /** {@code siteHttpKbps}: the site's recent HTTP throughput as its viewers report it; null when unknown. */
    record Welcome(String peerId, String secret, boolean resumed, String site, String streamId,
                   long heartbeatMs, Policy policy, Long siteHttpKbps) implements ServerMessage {
        @Override
        public String type() {
            return "welcome";
        }
    }

    /**
     * {@code site} is the neighbour's site, so viewers can account for what crosses site boundaries;
     * {@code fetching}: the neighbour's SDK understands the data-channel {@code fetching} message.
     */
    record Neighbour(String peer, boolean offer, String site, boolean fetching) implements ServerMessage {
        public Neighbour(String peer, boolean offer, String site) {
            this(peer, offer, site, false);
        }

        @Override
        public String type() {
            return "neighbour";
        }
    }

    record NeighbourGone(String peer, String reason) implements ServerMessage {
        @Override
        public String type() {
            return "neighbour-gone";
        }
    }

    /** The site's leaders, and each rendition's that has its own (docs/protocol.md, "Site leaders"). */
    record Leaders(SiteLeaders leaders) implements ServerMessage {
        /** Only the site's leaders. */
        public Leaders(List<String> site) {
            this(new SiteLeaders(site, Map.of()));
        }

        @Override
        public String type() {
            return "leaders";
        }
    }

    /** A neighbour's signal, relayed unchanged except for the sender's id. */
    record RelayedSignal(String from, String kind, String sdp, ClientMessage.Candidate candidate)
            implements ServerMessage {
        @Override
        public String type() {
            return "signal";
        }
    }

    /**
     * The answer to {@code hash}: {@code sha256} and {@code length} of the origin's bytes, or
     * {@code error} (then {@code sha256} is null). {@code segment} is echoed as asked.
     */
    /** {@code range}: the byte range asked for, echoed ({@code first-last}), or null for a whole resource. */
    record SegmentHash(String segment, String range, byte[] sha256, long length, String error) implements ServerMessage {
        @Override
        public String type() {
            return "hash";
        }
    }

    record PolicyUpdate(Policy policy) implements ServerMessage {
        @Override
        public String type() {
            return "policy";
        }
    }

    /**
     * Sent once when the socket opens, before {@code hello}: whether this connection is offered the
     * appliance's STUN responder (the {@code welcome}'s {@code iceServers} will name it).
     */
    record Ready(boolean stun) implements ServerMessage {
        @Override
        public String type() {
            return "ready";
        }
    }

    record Pong(Long t, long serverTime) implements ServerMessage {
        @Override
        public String type() {
            return "pong";
        }
    }

    /**
     * The appliance is going away (draining before a stop): reconnect to the same URL, so through
     * the load balancer to another appliance, after a random delay below {@code withinMs}.
     */
    record Move(String reason, long withinMs) implements ServerMessage {
        @Override
        public String type() {
            return "move";
        }
    }

    record Error(ErrorCode code, String message, String ref) implements ServerMessage {
        @Override
        public String type() {
            return "error";
        }
    }
}
