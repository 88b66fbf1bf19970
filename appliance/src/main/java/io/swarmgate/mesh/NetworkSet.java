package io.swarmgate.mesh;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of networks (CIDR blocks) with a membership test, for allow-lists such as
 * {@code metrics.allowed-networks}, {@code mesh.trusted-networks} or
 * {@code signaling.trusted-proxies}.
 *
 * <p>Built once into a binary trie over the address bits, like {@link SiteMap} but without sites:
 * a node is either inner or the end of a listed block. {@link #contains} walks at most 32 (IPv4)
 * or 128 (IPv6) nodes and stops at the first block that covers the address, so its cost does not
 * depend on how many networks the set holds, and it allocates nothing beyond the address bytes.
 * IPv4-mapped IPv6 addresses and blocks ({@code ::ffff:10.0.0.0/104}) count as IPv4, the way
 * {@link Cidr} and {@link SiteMap} fold them. A block listed twice, or inside another listed block,
 * changes nothing.
 */
public final class NetworkSet {

    private static final int ROOT_V4 = 0;
    private static final int ROOT_V6 = 1;
    private static final NetworkSet EMPTY = of(List.of());

    private final List<String> cidrs;
    // Child links; 0 means "none" because node 0 is the IPv4 root and never anyone's child.
    private final int[] zero;
    private final int[] one;
    // Whether a listed block ends at this node: every address below it is a member.
    private final boolean[] member;

    private NetworkSet(List<String> cidrs, int[] zero, int[] one, boolean[] member) {
        this.cidrs = cidrs;
        this.zero = zero;
        this.one = one;
        this.member = member;
    }

    /** The set without networks: {@link #contains} is always false. */
    public static NetworkSet empty() {
        return EMPTY;
    }

    /**
     * Builds a set from CIDRs such as {@code 10.0.0.0/8} or {@code fc00::/7}, each validated
     * strictly (a literal address, a decimal prefix length within the family's range, no host bits).
     *
     * @throws IllegalArgumentException whose message names the offending CIDR
     */
    public static NetworkSet of(List<String> cidrs) {
        Builder builder = new Builder(cidrs.size());
        for (String cidr : cidrs) {
            builder.insert(Cidr.parse(cidr));
        }
        return builder.build(List.copyOf(cidrs));
    }

    /** Whether no network was listed. */
    public boolean isEmpty() {
        return cidrs.isEmpty();
    }

    /** The CIDRs this set was built from, in their original spelling and order. */
    public List<String> cidrs() {
        return cidrs;
    }

    /** Whether a listed network contains {@code address}. */
    public boolean contains(InetAddress address) {
        byte[] bytes = IpLiteral.canonicalBytes(address);
        int node = bytes.length == 4 ? ROOT_V4 : ROOT_V6;
        int bits = bytes.length * 8;
        for (int i = 0; !member[node]; i++) {
            if (i == bits) {
                return false;
            }
            node = Cidr.bit(bytes, i) ? one[node] : zero[node];
            if (node == 0) {
                return false;
            }
        }
        return true;
    }

    /** For an IP literal from the wire or a header; false for anything that is not one (never a DNS lookup). */
    public boolean containsLiteral(String literal) {
        InetAddress address;
        try {
            address = IpLiteral.toInetAddress(literal);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return contains(address);
    }

    @Override
    public String toString() {
        return String.join(",", cidrs);
    }

    /** Grows the trie in arrays during construction; never shared. */
    private static final class Builder {
        private int[] zero;
        private int[] one;
        private boolean[] member;
        private int size = 2;

        Builder(int expectedNetworks) {
            int capacity = Math.max(16, expectedNetworks * 24);
            zero = new int[capacity];
            one = new int[capacity];
            member = new boolean[capacity];
        }

        void insert(Cidr cidr) {
            int node = cidr.isV4() ? ROOT_V4 : ROOT_V6;
            for (int i = 0; i < cidr.prefixLength(); i++) {
                if (member[node]) {
                    return; // already covered by a shorter block
                }
                boolean bit = cidr.bit(i);
                int child = bit ? one[node] : zero[node];
                if (child == 0) {
                    child = newNode();
                    (bit ? one : zero)[node] = child;
                }
                node = child;
            }
            member[node] = true;
        }

        private int newNode() {
            if (size == member.length) {
                int capacity = size * 2;
                zero = Arrays.copyOf(zero, capacity);
                one = Arrays.copyOf(one, capacity);
                member = Arrays.copyOf(member, capacity);
            }
            return size++;
        }

        NetworkSet build(List<String> cidrs) {
            return new NetworkSet(cidrs, Arrays.copyOf(zero, size), Arrays.copyOf(one, size),
                    Arrays.copyOf(member, size));
        }
    }
}
