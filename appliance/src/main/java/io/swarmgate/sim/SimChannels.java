package io.swarmgate.sim;

import java.util.Arrays;

/**
 * When the data channel of each neighbour pair opens, by the viewers' indices: a primitive
 * open-addressing table (linear probing, backward-shift deletion), so that the hundreds of
 * thousands of pairs of a large event cost two longs each and no garbage. A pair the coordinator
 * made and has not undone has an entry; {@link #NONE} means no channel.
 */
final class SimChannels {

    /** No channel between the two. */
    static final long NONE = Long.MAX_VALUE;
    private static final long EMPTY = -1;

    private long[] keys;
    private long[] openAt;
    private int size;

    /** A table sized for {@code expectedPairs} without growing. */
    SimChannels(int expectedPairs) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedPairs * 2 - 1)) * 2;
        keys = new long[capacity];
        openAt = new long[capacity];
        Arrays.fill(keys, EMPTY);
    }

    int size() {
        return size;
    }

    /** The pair's channel opens (or opened) at {@code at}; replaces what the pair had. */
    void open(int a, int b, long at) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(a, b);
        int i = slot(key);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & (keys.length - 1);
        }
        if (keys[i] == EMPTY) {
            keys[i] = key;
            size++;
        }
        openAt[i] = at;
    }

    /** When the pair's channel opens, or {@link #NONE}. */
    long openAt(int a, int b) {
        long key = key(a, b);
        for (int i = slot(key); keys[i] != EMPTY; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == key) {
                return openAt[i];
            }
        }
        return NONE;
    }

    /** The pair is no longer neighbours: its channel is gone. */
    void close(int a, int b) {
        long key = key(a, b);
        int mask = keys.length - 1;
        int i = slot(key);
        while (keys[i] != key) {
            if (keys[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        size--;
        // Backward-shift: move later entries of the same probe run into the hole.
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                openAt[hole] = openAt[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldOpen = openAt;
        keys = new long[oldKeys.length * 2];
        openAt = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                open((int) (oldKeys[i] >>> 32), (int) oldKeys[i], oldOpen[i]);
            }
        }
    }

    private static long key(int a, int b) {
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        return ((long) lo << 32) | hi;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & (keys.length - 1);
    }
}
