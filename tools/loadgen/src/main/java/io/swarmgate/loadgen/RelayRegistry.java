package io.swarmgate.loadgen;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Relay latency without trusting anything in the wire format: sender and receiver live in this
 * process, so each sent candidate is registered under a fresh sequence number with its
 * (from, to) pair and intended send time, and the receiving viewer looks it up when the relayed
 * signal arrives. Entries left at the end are relays the appliance never delivered.
 */
public final class RelayRegistry {

    private record Pending(String from, String to, long intendedNanos) {
    }

    /** How a delivered signal matched what was sent. */
    public enum Match { MATCHED, UNKNOWN, WRONG_PAIR }

    private final AtomicLong nextSeq = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();

    /** Registers a signal about to be sent and returns its sequence number. */
    public long register(String from, String to, long intendedNanos) {
        long seq = nextSeq.getAndIncrement();
        pending.put(seq, new Pending(from, to, intendedNanos));
        return seq;
    }

    /** Forgets a signal that could not be sent, so it is not reported as lost. */
    public void cancel(long seq) {
        pending.remove(seq);
    }

    /** Records the arrival at {@code to} of signal {@code seq} relayed from {@code from}. */
    public Match delivered(long seq, String from, String to, long nowNanos) {
        Pending p = pending.get(seq);
        if (p == null) {
            return Match.UNKNOWN;
        }
        if (!p.from.equals(from) || !p.to.equals(to)) {
            return Match.WRONG_PAIR;
        }
        pending.remove(seq);
        latency.record(p.intendedNanos, nowNanos);
        return Match.MATCHED;
    }

    public long sent() {
        return nextSeq.get();
    }

    /** Registered and never delivered (yet). */
    public int outstanding() {
        return pending.size();
    }

    public LatencyHistogram latency() {
        return latency;
    }
}
