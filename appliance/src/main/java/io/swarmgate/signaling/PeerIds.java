package io.swarmgate.signaling;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Peer ids and resume secrets. They come from one DRBG per thread: the platform default on
 * Linux, NativePRNG, takes one process-wide lock per call (plus a SHA-1 and a /dev/urandom
 * read), and under a burst of joins dozens of request threads queued on it.
 */
final class PeerIds {

    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(PeerIds::newRandom);

    private PeerIds() {
    }

    /** {@code p-} and ten characters of a 32-letter alphabet without look-alikes: 50 bits. */
    static String newPeerId() {
        char[] id = new char[10];
        byte[] bytes = new byte[id.length];
        RANDOM.get().nextBytes(bytes);
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[(bytes[i] & 0xff) % ID_ALPHABET.length]; // 256 is a multiple of 32: uniform
        }
        return "p-" + new String(id);
    }

    /** 128 random bits, base64url: what a viewer presents to resume its place. */
    static String newSecret() {
        byte[] b = new byte[16];
        RANDOM.get().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A seed for the coordinator's candidate sampling. */
    static long newSeed() {
        return RANDOM.get().nextLong();
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
