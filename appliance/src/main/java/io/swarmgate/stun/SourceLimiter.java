package io.swarmgate.stun;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Per-source rate limit of the STUN responder: each source address may be answered
 * {@code perSecond} times a second with bursts of {@code burst} (a browser sends a handful of
 * Binding requests per ICE gathering; ICE keepalives to the server are rarer still). The table
 * holds at most {@code maxSources} addresses; when it is full, idle entries are swept, and a new
 * source that still finds no room is not answered — a flood of spoofed sources costs the
 * responder a bounded table, never unbounded memory. Only the responder's thread calls it.
 */
final class SourceLimiter {

    private final double perMs;
    private final int burst;
    private final int maxSources;
    private final Map<InetAddress, double[]> buckets = new HashMap<>(); // {tokens, last ms}

    SourceLimiter(int perSecond, int burst, int maxSources) {
        this.perMs = perSecond / 1000.0;
        this.burst = burst;
        this.maxSources = maxSources;
    }

    /** Whether a request from {@code source} at {@code nowMs} may be answered. */
    boolean allow(InetAddress source, long nowMs) {
        double[] bucket = buckets.get(source);
        if (bucket == null) {
            if (buckets.size() >= maxSources) {
                sweep(nowMs);
                if (buckets.size() >= maxSources) {
                    return false;
                }
            }
            bucket = new double[] {burst, nowMs};
            buckets.put(source, bucket);
        }
        if (nowMs > bucket[1]) {
            bucket[0] = Math.min(burst, bucket[0] + (nowMs - bucket[1]) * perMs);
            bucket[1] = nowMs;
        }
        if (bucket[0] >= 1) {
            bucket[0] -= 1;
            return true;
        }
        return false;
    }

    /** Drops the sources whose bucket has refilled completely (idle long enough to be forgotten). */
    private void sweep(long nowMs) {
        for (Iterator<double[]> it = buckets.values().iterator(); it.hasNext(); ) {
            double[] b = it.next();
            if (b[0] + (nowMs - b[1]) * perMs >= burst) {
                it.remove();
            }
        }
    }

    int sources() {
        return buckets.size();
    }
}
