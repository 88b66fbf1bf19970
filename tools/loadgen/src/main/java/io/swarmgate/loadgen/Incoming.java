package io.swarmgate.loadgen;

/** What the appliance sends a viewer, as far as the load generator cares (docs/protocol.md). */
public sealed interface Incoming {

    record Welcome(String peerId, String site, long heartbeatMs) implements Incoming {
    }

    record Neighbour(String peer, boolean offer) implements Incoming {
    }

    record NeighbourGone(String peer, String reason) implements Incoming {
    }

    /** A relayed signal; {@code candidate} is the candidate line, empty for offers and answers. */
    record Signal(String from, String kind, String candidate) implements Incoming {
    }

    record Error(String code, String message, String ref) implements Incoming {
    }

    /** {@code pong}, {@code leaders}, {@code policy} and any type a later protocol adds. */
    record Other(String type) implements Incoming {
    }

    /** A frame that is not a JSON object with a string {@code type}: counted as an error. */
    record Malformed(String problem) implements Incoming {
    }
}
