package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.swarmgate.mesh.IpLiteral;
import io.swarmgate.mesh.NetworkSet;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** X-Forwarded-For is read from the right, and only as far as trusted proxies vouch for it. */
class AdmissionClientAddressTest {

    private static final InetAddress PROXY = ip("192.168.100.1");
    private final Admission admission = new Admission(null, null, NetworkSet.of(List.of("10.0.0.0/8")),
            NetworkSet.of(List.of("192.168.100.0/24")), Clock.systemUTC());

    private static InetAddress ip(String text) {
        return IpLiteral.toInetAddress(text);
    }

    private String client(InetAddress peer, String forwardedFor) {
        return admission.clientAddress(peer, forwardedFor).getHostAddress();
    }

    @Test
    void theHeaderIsIgnoredUnlessTheTcpPeerIsATrustedProxy() {
        assertEquals("203.0.113.5", client(ip("203.0.113.5"), "10.1.2.3"));
        assertEquals("192.168.100.1", client(PROXY, null));
    }

    @Test
    void aClientCannotPickItsAddressByPrependingEntries() {
        // The client sent "10.1.2.3"; the proxy appended the address it really saw.
        assertEquals("203.0.113.5", client(PROXY, "10.1.2.3, 203.0.113.5"));
        assertEquals("203.0.113.5", client(PROXY, "10.1.2.3,10.4.5.6,203.0.113.5"));
    }

    @Test
    void trustedProxiesAreSkippedFromTheRight() {
        assertEquals("10.7.7.7", client(PROXY, "10.1.2.3, 10.7.7.7, 192.168.100.2"));
        assertEquals("2001:db8:0:0:0:0:0:5", client(PROXY, "2001:db8::5, 192.168.100.2"));
    }

    @Test
    void whenEveryEntryIsATrustedProxyTheLeftMostIsTheClient() {
        assertEquals("192.168.100.3", client(PROXY, "192.168.100.3, 192.168.100.2"));
    }

    @Test
    void aMalformedEntryStopsTheWalkAtTheLastGoodAddress() {
        assertEquals("192.168.100.1", client(PROXY, "10.1.2.3, unknown"));
        assertEquals("192.168.100.1", client(PROXY, "10.1.2.3, 203.0.113.5:4711"));
        assertEquals("192.168.100.1", client(PROXY, "10.1.2.3,"));
        assertEquals("192.168.100.2", client(PROXY, "10.1.2.3, host.example, 192.168.100.2"));
        assertEquals("192.168.100.1", client(PROXY, ""));
    }
}
