package io.swarmgate.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Await;
import io.swarmgate.config.ApplianceConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The responder on a real UDP socket, asked by a real UDP client over IPv4 and IPv6. */
@Timeout(30)
class StunResponderIT {

    private static final byte[] BARE_REQUEST = HexFormat.of().parseHex("000100002112a442b7e7a701bc34d686fa87dfae");

    /** Sends {@code request} from {@code client} and decodes the XOR-MAPPED-ADDRESS of the answer. */
    private static InetSocketAddress ask(DatagramSocket client, InetSocketAddress server, byte[] request) throws Exception {
        client.send(new DatagramPacket(request, request.length, server));
        DatagramPacket in = new DatagramPacket(new byte[600], 600);
        client.receive(in);
        ByteBuffer b = ByteBuffer.wrap(in.getData(), 0, in.getLength());
        assertEquals(0x0101, b.getShort() & 0xffff, "Binding success response");
        b.getShort();
        assertEquals(StunCodec.MAGIC_COOKIE, b.getInt());
        byte[] txn = new byte[12];
        b.get(txn);
        assertTrue(Arrays.equals(txn, Arrays.copyOfRange(request, 8, 20)), "the request's transaction id");
        assertEquals(StunCodec.XOR_MAPPED_ADDRESS, b.getShort() & 0xffff);
        int length = b.getShort();
        b.get();
        int family = b.get();
        int port = (b.getShort() & 0xffff) ^ (StunCodec.MAGIC_COOKIE >>> 16);
        byte[] address = new byte[family == 1 ? 4 : 16];
        b.get(address);
        for (int i = 0; i < address.length; i++) {
            address[i] ^= request[4 + i];
        }
        assertEquals(4 + address.length, length);
        return new InetSocketAddress(InetAddress.getByAddress(address), port);
    }

    @Test
    void anIpv4ClientLearnsItsOwnAddressAndPort() throws Exception {
        try (StunResponder responder = StunResponder.start("127.0.0.1", 0, Clock.systemUTC());
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout(5000);
            InetSocketAddress mapped = ask(client, responder.localAddress(), BARE_REQUEST);
            assertEquals(client.getLocalSocketAddress(), mapped);
            // Counted after the send returns, so possibly just after the answer arrived here.
            Await.until("the answer is counted", Duration.ofSeconds(10), () -> responder.answered() == 1);
        }
    }

    @Test
    void theDefaultDualStackSocketAnswersIpv4AndIpv6Clients() throws Exception {
        try (StunResponder responder = StunResponder.start("", 0, Clock.systemUTC());
             DatagramSocket v4 = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket v6 = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            v4.setSoTimeout(5000);
            v6.setSoTimeout(5000);
            int port = responder.port();
            assertEquals(v4.getLocalSocketAddress(),
                    ask(v4, new InetSocketAddress("127.0.0.1", port), StunCodecTest.RFC5769_REQUEST),
                    "an IPv4 client on the dual-stack socket is answered with its IPv4 address");
            assertEquals(v6.getLocalSocketAddress(), ask(v6, new InetSocketAddress("::1", port), BARE_REQUEST));
        }
    }

    @Test
    void garbageIsNotAnsweredAndAFloodFromOneSourceIsCutToItsBudget() throws Exception {
        try (StunResponder responder = StunResponder.start("127.0.0.1", 0, Clock.systemUTC());
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] garbage = "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(garbage, garbage.length, responder.localAddress()));
            Await.until("the garbage is dropped", Duration.ofSeconds(10), () -> responder.dropped() == 1);
            assertEquals(0, responder.answered());

            int sent = 3 * StunResponder.BURST;
            for (int i = 0; i < sent; i++) {
                client.send(new DatagramPacket(BARE_REQUEST, BARE_REQUEST.length, responder.localAddress()));
            }
            Await.until("every request is answered or dropped", Duration.ofSeconds(10),
                    () -> responder.answered() + responder.dropped() == sent + 1);
            assertTrue(responder.answered() >= StunResponder.BURST, "the burst is answered: " + responder.answered());
            assertTrue(responder.answered() < 2 * StunResponder.BURST, "the rest is cut: " + responder.answered());
        }
    }

    @Test
    void aDisabledOrUnbindableResponderIsNoResponder() throws Exception {
        assertNull(StunResponder.fromConfig(new ApplianceConfig.Stun(false, 0, ""), "", Clock.systemUTC()));
        try (StunResponder first = StunResponder.start("127.0.0.1", 0, Clock.systemUTC())) {
            assertNull(StunResponder.fromConfig(new ApplianceConfig.Stun(true, first.port(), "127.0.0.1"), "",
                    Clock.systemUTC()), "the port is taken: the appliance runs without STUN");
        }
    }

    @Test
    void theUrlNamesTheHostTheViewerUsedAndTheBoundPort() throws Exception {
        try (StunResponder responder = StunResponder.start("127.0.0.1", 0, Clock.systemUTC())) {
            assertEquals("stun:swarmgate.corp.example:" + responder.port(), responder.urlFor("swarmgate.corp.example:8443"));
            assertNull(responder.urlFor("evil\"}], \"x\":1"));
        }
    }
}
