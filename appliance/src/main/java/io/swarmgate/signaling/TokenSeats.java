package io.swarmgate.signaling;

import io.swarmgate.policy.ViewerTokens;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * How many connected viewers each viewer token admitted, for the policies' per-token limit
 * ({@code --max-viewers-per-token}). A seat is taken when a viewer is admitted and given back
 * when its socket closes, so only connected viewers count (a viewer held for resume does not).
 * Mesh thread only: admissions and closes reach it in order, so the count is exact without locks.
 */
final class TokenSeats {

    /** Taken seats by policy id and token key. */
    private final Map<String, Integer> taken = new HashMap<>();
    private final Map<ViewerSession, String> seatOf = new IdentityHashMap<>();

    /**
     * Takes a seat for {@code s} under {@code token} of policy {@code policyId}; false when
     * {@code max} (0: no limit) seats are taken already. Viewers without a token take none.
     */
    boolean take(ViewerSession s, String policyId, ViewerTokens.Verified token, int max) {
        if (token == null) {
            return true;
        }
        String key = policyId + "\n" + token.key();
        int n = taken.getOrDefault(key, 0);
        if (max > 0 && n >= max) {
            return false;
        }
        taken.put(key, n + 1);
        seatOf.put(s, key);
        return true;
    }

    /** Gives back the seat of {@code s}, if it holds one; safe to call more than once. */
    void release(ViewerSession s) {
        String key = seatOf.remove(s);
        if (key != null) {
            taken.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Seats taken under one token of one policy. */
    int count(String policyId, ViewerTokens.Verified token) {
        return taken.getOrDefault(policyId + "\n" + token.key(), 0);
    }
}
