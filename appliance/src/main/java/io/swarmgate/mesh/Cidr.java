package io.swarmgate.mesh;

/**
 * A parsed, validated CIDR block. IPv4-mapped IPv6 blocks ({@code ::ffff:10.0.0.0/104}) are
 * stored as their IPv4 equivalent because viewers' addresses are folded the same way.
 */
final class Cidr {

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code address/length} strictly: a literal address (never a host name), a decimal
     * length within the family's range, and no bits set after the prefix.
     *
     * @throws IllegalArgumentException whose message names the CIDR and the problem
     */
    static Cidr parse(String cidr) {
        if (cidr == null) {
            throw new IllegalArgumentException("CIDR is missing");
        }
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw invalid(cidr, "missing /prefix-length");
        }
        byte[] address;
        try {
            address = IpLiteral.parse(cidr.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw invalid(cidr, e.getMessage());
        }
        int bits = address.length * 8;
        String lengthText = cidr.substring(slash + 1);
        if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(c -> c >= '0' && c <= '9')
                || (lengthText.length() > 1 && lengthText.charAt(0) == '0')) {
            throw invalid(cidr, "prefix length must be a decimal number from 0 to " + bits);
        }
        int length = Integer.parseInt(lengthText);
        if (length > bits) {
            throw invalid(cidr, "prefix length must be a decimal number from 0 to " + bits);
        }
        for (int bit = length; bit < bits; bit++) {
            if (bit(address, bit)) {
                throw invalid(cidr, "host bits are set after /" + length + " (did you mean "
                        + IpLiteral.format(mask(address, length)) + "/" + length + "?)");
            }
        }
        if (IpLiteral.isV4Mapped(address) && length >= 96) {
            byte[] v4 = new byte[4];
            System.arraycopy(address, 12, v4, 0, 4);
            return new Cidr(v4, length - 96);
        }
        return new Cidr(address, length);
    }

    private static IllegalArgumentException invalid(String cidr, String problem) {
        return new IllegalArgumentException("invalid CIDR '" + cidr + "': " + problem);
    }

    static boolean bit(byte[] address, int index) {
        return (address[index >> 3] & (0x80 >>> (index & 7))) != 0;
    }

    /** A copy of {@code address} with every bit after {@code length} cleared. */
    static byte[] mask(byte[] address, int length) {
        byte[] masked = address.clone();
        for (int bit = length; bit < masked.length * 8; bit++) {
            masked[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return masked;
    }

    boolean isV4() {
        return network.length == 4;
    }

    int prefixLength() {
        return prefixLength;
    }

    boolean bit(int index) {
        return bit(network, index);
    }

    @Override
    public String toString() {
        return IpLiteral.format(network) + "/" + prefixLength;
    }
}
