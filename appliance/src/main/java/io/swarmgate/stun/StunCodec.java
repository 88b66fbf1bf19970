package io.swarmgate.stun;

import io.swarmgate.mesh.IpLiteral;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * STUN Binding requests and their success responses (RFC 8489, the subset a browser's ICE agent
 * uses to learn its server-reflexive address). A request is answered only when it is a
 * well-formed Binding request: the two leading zero bits, method Binding / class request, the
 * magic cookie, a length that matches the datagram and is a multiple of four, attributes that
 * tile the body exactly and, when present, a correct FINGERPRINT as the last attribute. Anything
 * else (other methods or classes, indications, responses, truncated or padded datagrams) yields
 * no answer at all, so the responder never reflects garbage.
 *
 * <p>The response carries XOR-MAPPED-ADDRESS (the requester's own address and port, nothing
 * else) and, when the request had one, FINGERPRINT. It is at most {@link #MAX_RESPONSE_EXCESS}
 * bytes longer than twice the request (44 bytes for a bare 20-byte request from an IPv6 client,
 * 32 from an IPv4 one): the responder cannot be used to amplify traffic toward a spoofed source.
 */
public final class StunCodec {

    static final int HEADER_LENGTH = 20;
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    static final int FINGERPRINT = 0x8028;
    static final int FINGERPRINT_XOR = 0x5354554e;
    /** Larger datagrams are not Binding requests a browser sends (RFC 8489 §6.1: 576-byte path MTU). */
    static final int MAX_REQUEST_LENGTH = 548;
    /** A response is never longer than {@code 2 × request + MAX_RESPONSE_EXCESS} bytes. */
    static final int MAX_RESPONSE_EXCESS = 4;

    private StunCodec() {
    }

    /**
     * The success response to {@code request} received from {@code source}, or null when the
     * datagram is not a well-formed Binding request (it is then dropped without an answer).
     */
    public static byte[] answer(byte[] request, int length, InetSocketAddress source) {
        if (!isBindingRequest(request, length)) {
            return null;
        }
        boolean fingerprint = hasFingerprint(request, length);
        // A dual-stack socket sees an IPv4 requester as ::ffff:a.b.c.d; it is answered as the IPv4 address it is.
        byte[] address = IpLiteral.canonicalBytes(source.getAddress());
        int attributes = 4 + 4 + address.length + (fingerprint ? 8 : 0);
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + attributes);
        out.putShort((short) BINDING_SUCCESS).putShort((short) attributes).put(request, 4, 16);
        out.putShort((short) XOR_MAPPED_ADDRESS).putShort((short) (4 + address.length))
                .put((byte) 0).put((byte) (address.length == 4 ? 1 : 2))
                .putShort((short) (source.getPort() ^ (MAGIC_COOKIE >>> 16)));
        for (int i = 0; i < address.length; i++) {
            // XOR with the cookie, then (IPv6) the transaction id: bytes 4..19 of the header.
            out.put((byte) (address[i] ^ request[4 + i]));
        }
        if (fingerprint) {
            int crc = fingerprint(out.array(), out.position());
            out.putShort((short) FINGERPRINT).putShort((short) 4).putInt(crc);
        }
        byte[] response = out.array();
        return response.length <= 2 * length + MAX_RESPONSE_EXCESS ? response : null;
    }

    /** Whether the first {@code length} bytes are a well-formed Binding request (see the class comment). */
    static boolean isBindingRequest(byte[] b, int length) {
        if (length < HEADER_LENGTH || length > MAX_REQUEST_LENGTH || length > b.length) {
            return false;
        }
        ByteBuffer in = ByteBuffer.wrap(b, 0, length);
        int type = in.getShort() & 0xffff;
        int bodyLength = in.getShort() & 0xffff;
        if (type != BINDING_REQUEST || in.getInt() != MAGIC_COOKIE || bodyLength != length - HEADER_LENGTH
                || bodyLength % 4 != 0) {
            return false;
        }
        int at = HEADER_LENGTH;
        while (at < length) {
            if (length - at < 4) {
                return false;
            }
            int attribute = ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
            int valueLength = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
            int next = at + 4 + ((valueLength + 3) & ~3);
            if (next > length) {
                return false;
            }
            if (attribute == FINGERPRINT) {
                // Last, four bytes, and the CRC of everything before it must match.
                if (next != length || valueLength != 4
                        || ByteBuffer.wrap(b, at + 4, 4).getInt() != fingerprint(b, at)) {
                    return false;
                }
            }
            at = next;
        }
        return true;
    }

    /** Whether the (well-formed) request ends with a FINGERPRINT attribute. */
    private static boolean hasFingerprint(byte[] b, int length) {
        if (length < HEADER_LENGTH + 8) {
            return false;
        }
        int at = length - 8;
        return (((b[at] & 0xff) << 8) | (b[at + 1] & 0xff)) == FINGERPRINT
                && isAttributeBoundary(b, length, at);
    }

    private static boolean isAttributeBoundary(byte[] b, int length, int target) {
        int at = HEADER_LENGTH;
        while (at < target) {
            int valueLength = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
            at += 4 + ((valueLength + 3) & ~3);
        }
        return at == target && target < length;
    }

    /**
     * The FINGERPRINT value of a message whose bytes before the attribute are {@code b[0, end)}:
     * CRC-32 XOR 0x5354554e, computed with the header's length already counting the attribute.
     */
    static int fingerprint(byte[] b, int end) {
        byte[] copy = java.util.Arrays.copyOf(b, end);
        int withFingerprint = end - HEADER_LENGTH + 8;
        copy[2] = (byte) (withFingerprint >>> 8);
        copy[3] = (byte) withFingerprint;
        CRC32 crc = new CRC32();
        crc.update(copy, 0, end);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }
}
