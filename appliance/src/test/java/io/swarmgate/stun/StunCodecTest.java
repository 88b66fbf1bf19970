package io.swarmgate.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Binding requests and responses, checked against the test vectors of RFC 5769. */
class StunCodecTest {

    private static final HexFormat HEX = HexFormat.of();
    /** RFC 5769 §2.1 "Sample Request" (SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT). */
    static final byte[] RFC5769_REQUEST = HEX.parseHex(
            "000100582112a442b7e7a701bc34d686fa87dfae"
            + "80220010" + "5354554e207465737420636c69656e74"
            + "00240004" + "6e0001ff"
            + "80290008" + "932ff9b151263b36"
            + "00060009" + "6576746a3a68367659202020"
            + "00080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004" + "e57a3bcf");
    /** RFC 5769 §2.2 "Sample IPv4 Response" (SOFTWARE, XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT). */
    private static final byte[] RFC5769_IPV4_RESPONSE = HEX.parseHex(
            "0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b" + "7465737420766563746f7220"
            + "00200008" + "0001a147e112a643"
            + "00080014" + "2b91f599fd9e90c38c7489f92af9ba53f06be7d7"
            + "80280004" + "c07d4c96");
    private static final String XOR_MAPPED_IPV4 = "00200008" + "0001a147e112a643";
    /** RFC 5769 §2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853 with the same transaction id. */
    private static final String XOR_MAPPED_IPV6 = "00200014" + "0002a147" + "0113a9faa5d3f179bc25f4b5bed2b9d9";

    private static InetSocketAddress source(String address) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(address), 32853);
    }

    @Test
    void fingerprintsOfTheRfcVectorsAreReproduced() {
        assertEquals(0xe57a3bcf, StunCodec.fingerprint(RFC5769_REQUEST, RFC5769_REQUEST.length - 8));
        assertEquals(0xc07d4c96, StunCodec.fingerprint(RFC5769_IPV4_RESPONSE, RFC5769_IPV4_RESPONSE.length - 8));
        assertTrue(StunCodec.isBindingRequest(RFC5769_REQUEST, RFC5769_REQUEST.length));
    }

    @Test
    void theRfcRequestIsAnsweredWithItsTransactionIdTheRfcXorMappedAddressAndAFingerprint() throws Exception {
        byte[] response = StunCodec.answer(RFC5769_REQUEST, RFC5769_REQUEST.length, source("192.0.2.1"));
        assertNotNull(response);
        assertEquals("01010014" + "2112a442b7e7a701bc34d686fa87dfae" + XOR_MAPPED_IPV4 + "80280004",
                HEX.formatHex(response, 0, 36));
        assertEquals(StunCodec.fingerprint(response, 32), ByteBuffer.wrap(response, 36, 4).getInt());
    }

    @Test
    void anIpv6RequesterGetsTheRfcIpv6XorMappedAddress() throws Exception {
        byte[] response = StunCodec.answer(RFC5769_REQUEST, RFC5769_REQUEST.length,
                source("2001:db8:1234:5678:11:2233:4455:6677"));
        assertEquals(XOR_MAPPED_IPV6, HEX.formatHex(response, 20, 44));
        assertEquals(52, response.length);
    }

    @Test
    void aBareRequestGetsABareAnswerNoMoreThanTwiceItsSizePlusFourBytes() throws Exception {
        byte[] bare = Arrays.copyOf(HEX.parseHex("000100002112a442b7e7a701bc34d686fa87dfae"), 20);
        byte[] v4 = StunCodec.answer(bare, 20, source("10.1.2.3"));
        assertEquals("0101000c2112a442b7e7a701bc34d686fa87dfae", HEX.formatHex(v4, 0, 20));
        assertEquals(32, v4.length, "no FINGERPRINT when the request had none");
        byte[] v6 = StunCodec.answer(bare, 20, source("fd00::1"));
        assertEquals(44, v6.length);
        assertTrue(v6.length <= 2 * bare.length + StunCodec.MAX_RESPONSE_EXCESS);
    }

    @Test
    void anIpv4MappedSourceIsAnsweredAsIpv4() throws Exception {
        byte[] bare = HEX.parseHex("000100002112a442b7e7a701bc34d686fa87dfae");
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByAddress(
                HEX.parseHex("00000000000000000000ffffc0000201")), 32853);
        assertEquals(XOR_MAPPED_IPV4, HEX.formatHex(StunCodec.answer(bare, 20, mapped), 20, 32));
    }

    @Test
    void anythingButAWellFormedBindingRequestIsDropped() throws Exception {
        InetSocketAddress from = source("10.1.2.3");
        String txn = "b7e7a701bc34d686fa87dfae";
        String[] dropped = {
            "",
            "0001000021",                                                    // shorter than a header
            "000100002112a443" + txn,                                        // wrong magic cookie
            "000100042112a442" + txn,                                        // length says 4, no body
            "000100042112a442" + txn + "000000",                             // body not a multiple of 4
            "010100002112a442" + txn,                                        // a success response
            "001100002112a442" + txn,                                        // a Binding indication
            "000300002112a442" + txn,                                        // Allocate (TURN)
            "c00100002112a442" + txn,                                        // leading bits set
            "000100082112a442" + txn + "00060008aabb",                       // attribute runs past the end
            "000100082112a442" + txn + "8028000400000000",                   // wrong FINGERPRINT
            "000100102112a442" + txn + "80280004e57a3bcf" + "00240004" + "6e0001ff", // FINGERPRINT not last
        };
        for (String hex : dropped) {
            byte[] b = HEX.parseHex(hex);
            assertNull(StunCodec.answer(b, b.length, from), hex);
        }
        byte[] tampered = RFC5769_REQUEST.clone();
        tampered[30] ^= 1; // one bit of SOFTWARE: the FINGERPRINT no longer matches
        assertNull(StunCodec.answer(tampered, tampered.length, from));
        byte[] huge = new byte[StunCodec.MAX_REQUEST_LENGTH + 4];
        System.arraycopy(HEX.parseHex("000102302112a442" + txn), 0, huge, 0, 20);
        assertNull(StunCodec.answer(huge, huge.length, from), "longer than any browser's request");
    }

    @Test
    void theReceivedLengthNotTheBufferDecides() throws Exception {
        byte[] buffer = Arrays.copyOf(RFC5769_REQUEST, 600);
        assertArrayEquals(StunCodec.answer(RFC5769_REQUEST, RFC5769_REQUEST.length, source("10.1.2.3")),
                StunCodec.answer(buffer, RFC5769_REQUEST.length, source("10.1.2.3")));
        assertNull(StunCodec.answer(buffer, RFC5769_REQUEST.length - 4, source("10.1.2.3")));
    }
}
