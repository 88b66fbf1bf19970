package io.swarmgate.mesh;

/**
 * A neighbour pair the coordinator just created. Exactly one side sends the WebRTC offer: the
 * peer that was being matched (the joiner, or the one whose degree dropped), so a viewer never
 * waits for an offer from someone who was not told to make one.
 */
public record Pairing(String offerer, String answerer) {

    /** The other member of the pair seen from {@code peerId}. */
    public String other(String peerId) {
        return offerer.equals(peerId) ? answerer : offerer;
    }

    /** Whether {@code peerId} is one of the two. */
    public boolean involves(String peerId) {
        return offerer.equals(peerId) || answerer.equals(peerId);
    }
}
