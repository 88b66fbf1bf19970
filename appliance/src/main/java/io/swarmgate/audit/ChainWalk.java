package io.swarmgate.audit;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Follows the chain entry by entry from a known start (sequence number and previous hash) and
 * remembers the first place it breaks. Also keeps the hashes at the sequence numbers that
 * checkpoints name, to compare them afterwards without a second pass.
 */
final class ChainWalk {

    /** Where and why verification failed; {@code seq} is the first entry that cannot be trusted. */
    record Break(Long seq, String message) {
    }

    private long expected;
    private String previousHash;
    private long count;
    private Break broken;
    private final Set<Long> watched;
    private final Map<Long, String> watchedHashes = new HashMap<>();

    /**
     * @param firstSeq     the sequence number the first entry must have
     * @param previousHash the hash the first entry chains to
     * @param watched      sequence numbers whose stored hashes to remember
     */
    ChainWalk(long firstSeq, String previousHash, Set<Long> watched) {
        this.expected = firstSeq;
        this.previousHash = previousHash;
        this.watched = watched;
    }

    /** Checks the next entry; false once the chain is broken (later entries are not checked). */
    boolean accept(long seq, String canonical, String storedHash) {
        if (broken != null) {
            return false;
        }
        if (seq != expected) {
            broken = seq > expected
                    ? new Break(expected, seq == expected + 1 ? "entry " + expected + " is missing (deleted)"
                            : "entries " + expected + " to " + (seq - 1) + " are missing (deleted)")
                    : new Break(seq, "entry " + seq + " appears after entry " + (expected - 1)
                            + " (inserted or reordered)");
            return false;
        }
        String computed = Canonical.chain(previousHash, canonical);
        if (!computed.equals(storedHash)) {
            broken = new Break(seq, "entry " + seq + " does not match its hash: it was edited, or inserted or"
                    + " moved here");
            return false;
        }
        if (watched.contains(seq)) {
            watchedHashes.put(seq, storedHash);
        }
        previousHash = storedHash;
        expected = seq + 1;
        count++;
        return true;
    }

    /** The first break, or null. */
    Break broken() {
        return broken;
    }

    /** Entries accepted. */
    long count() {
        return count;
    }

    /** The sequence number of the last accepted entry (one before the start when none was). */
    long lastSeq() {
        return expected - 1;
    }

    /** The hash of the last accepted entry (the start's previous hash when none was). */
    String lastHash() {
        return previousHash;
    }

    /** The stored hash at a watched sequence number, if the walk got there intact. */
    String hashAt(long seq) {
        return watchedHashes.get(seq);
    }
}
