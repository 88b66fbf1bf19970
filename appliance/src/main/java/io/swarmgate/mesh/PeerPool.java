package io.swarmgate.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An unordered set of peers with O(1) add, remove and bounded sampling: an array list plus the
 * peer's own slot index (stored in {@link PeerState}, so no hash map per pool). Removal swaps the
 * last element into the hole. This is what keeps matching independent of swarm size: a join
 * samples a fixed number of entries instead of scanning the swarm.
 */
final class PeerPool {

    enum Kind { SOURCES, HUNGRY, SATURATED }

    private final Kind kind;
    private final ArrayList<PeerState> items = new ArrayList<>();

    PeerPool(Kind kind) {
        this.kind = kind;
    }

    int size() {
        return items.size();
    }

    boolean contains(PeerState peer) {
        return slot(peer) >= 0;
    }

    void set(PeerState peer, boolean member) {
        if (member) {
            add(peer);
        } else {
            remove(peer);
        }
    }

    void add(PeerState peer) {
        if (slot(peer) >= 0) {
            return;
        }
        setSlot(peer, items.size());
        items.add(peer);
    }

    void remove(PeerState peer) {
        int slot = slot(peer);
        if (slot < 0) {
            return;
        }
        PeerState last = items.remove(items.size() - 1);
        if (last != peer) {
            items.set(slot, last);
            setSlot(last, slot);
        }
        setSlot(peer, -1);
    }

    /**
     * Appends up to {@code limit} distinct members to {@code out}: all of them when the pool is
     * that small, else a run of consecutive slots from a random start. Swap-removal keeps slot
     * order loosely shuffled, which is random enough to spread load.
     *
     * @return how many members were appended (the caller counts them as inspections)
     */
    int sample(int limit, SplittableRandom random, List<PeerState> out) {
        int n = items.size();
        if (n <= limit) {
            out.addAll(items);
            return n;
        }
        int start = random.nextInt(n);
        for (int k = 0; k < limit; k++) {
            out.add(items.get((start + k) % n));
        }
        return limit;
    }

    private int slot(PeerState peer) {
        return switch (kind) {
            case SOURCES -> peer.sourceSlot;
            case HUNGRY -> peer.hungrySlot;
            case SATURATED -> peer.saturatedSlot;
        };
    }

    private void setSlot(PeerState peer, int slot) {
        switch (kind) {
            case SOURCES -> peer.sourceSlot = slot;
            case HUNGRY -> peer.hungrySlot = slot;
            case SATURATED -> peer.saturatedSlot = slot;
        }
    }
}
