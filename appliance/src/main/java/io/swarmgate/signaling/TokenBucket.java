package io.swarmgate.signaling;

/**
 * Per-connection message rate limit. Not thread-safe: Jetty delivers one connection's messages
 * one at a time, and only that thread calls it.
 */
final class TokenBucket {

    private final double ratePerMs;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(int perSecond, int burst, long nowMs) {
        this.ratePerMs = perSecond / 1000.0;
        this.capacity = burst;
        this.tokens = burst;
        this.last = nowMs;
    }

    boolean tryTake(long nowMs) {
        if (nowMs > last) {
            tokens = Math.min(capacity, tokens + (nowMs - last) * ratePerMs);
            last = nowMs;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
