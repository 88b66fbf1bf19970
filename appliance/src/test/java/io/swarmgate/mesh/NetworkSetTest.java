package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkSetTest {

    private static final NetworkSet SET = NetworkSet.of(List.of(
            "10.0.0.0/8", "192.168.1.0/24", "203.0.113.7/32", "fc00::/7", "2001:db8:1::/48"));

    private static InetAddress ip(String literal) {
        return IpLiteral.toInetAddress(literal);
    }

    @Test
    void ipv4AddressesInsideAListedBlockAreMembers() {
        assertTrue(SET.contains(ip("10.0.0.1")));
        assertTrue(SET.contains(ip("10.255.255.255")));
        assertTrue(SET.contains(ip("192.168.1.200")));
        assertTrue(SET.contains(ip("203.0.113.7")));
    }

    @Test
    void ipv4AddressesOutsideEveryBlockAreNot() {
        assertFalse(SET.contains(ip("11.0.0.1")));
        assertFalse(SET.contains(ip("192.168.2.1")));
        assertFalse(SET.contains(ip("203.0.113.8")));
        assertFalse(SET.contains(ip("9.255.255.255")));
    }

    @Test
    void ipv6AddressesAreMatchedByTheirOwnBlocks() {
        assertTrue(SET.contains(ip("fd12:3456::1")));
        assertTrue(SET.contains(ip("2001:db8:1:ffff::1")));
        assertFalse(SET.contains(ip("2001:db8:2::1")));
        assertFalse(SET.contains(ip("fe80::1")));
        assertFalse(SET.contains(ip("::1")));
    }

    @Test
    void ipv4MappedAddressesCountAsIpv4() {
        assertTrue(SET.contains(ip("::ffff:10.1.2.3")));
        assertFalse(SET.contains(ip("::ffff:11.1.2.3")));
        NetworkSet mapped = NetworkSet.of(List.of("::ffff:172.16.0.0/108"));
        assertTrue(mapped.contains(ip("172.16.5.5")));
        assertTrue(mapped.contains(ip("::ffff:172.16.5.5")));
        assertFalse(mapped.contains(ip("172.32.0.1")));
    }

    @Test
    void anEmptySetContainsNothing() {
        NetworkSet empty = NetworkSet.of(List.of());
        assertTrue(empty.isEmpty());
        assertTrue(NetworkSet.empty().isEmpty());
        assertFalse(empty.contains(ip("10.0.0.1")));
        assertFalse(empty.contains(ip("::1")));
        assertFalse(empty.containsLiteral("0.0.0.0"));
        assertFalse(SET.isEmpty());
    }

    @Test
    void slashZeroCoversItsWholeFamilyOnly() {
        NetworkSet v4 = NetworkSet.of(List.of("0.0.0.0/0"));
        assertTrue(v4.contains(ip("0.0.0.0")));
        assertTrue(v4.contains(ip("255.255.255.255")));
        assertTrue(v4.contains(ip("::ffff:1.2.3.4")));
        assertFalse(v4.contains(ip("2001:db8::1")));
        NetworkSet v6 = NetworkSet.of(List.of("::/0"));
        assertTrue(v6.contains(ip("2001:db8::1")));
        assertTrue(v6.contains(ip("::")));
        assertFalse(v6.contains(ip("10.0.0.1")));
    }

    @Test
    void nestedAndRepeatedBlocksChangeNothing() {
        NetworkSet set = NetworkSet.of(List.of("10.1.2.0/24", "10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8"));
        assertTrue(set.contains(ip("10.1.2.3")));
        assertTrue(set.contains(ip("10.200.0.1")));
        assertFalse(set.contains(ip("11.0.0.0")));
        assertEquals(List.of("10.1.2.0/24", "10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8"), set.cidrs());
    }

    @Test
    void literalsFromTheWireAreParsedAndAnythingElseIsNoMember() {
        assertTrue(SET.containsLiteral("10.9.8.7"));
        assertTrue(SET.containsLiteral("fd00::5"));
        assertFalse(SET.containsLiteral("8.8.8.8"));
        assertFalse(SET.containsLiteral("localhost"));
        assertFalse(SET.containsLiteral("10.0.0.1:8080"));
        assertFalse(SET.containsLiteral(""));
        assertFalse(SET.containsLiteral("abcd.local"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08", "corp.example/8",
        "fc00::/129", "300.0.0.0/8", "10.0.0.0/", ""})
    void aBadCidrIsRejectedByName(String cidr) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkSet.of(List.of("10.0.0.0/8", cidr)));
        assertTrue(e.getMessage().contains("'" + cidr + "'"), e.getMessage());
    }

    @Test
    void manyNetworksAreLookedUpByTheirBits() {
        List<String> cidrs = new ArrayList<>();
        for (int a = 0; a < 64; a++) {
            for (int b = 0; b < 256; b += 2) {
                cidrs.add("10." + a + "." + b + ".0/24");
            }
        }
        NetworkSet many = NetworkSet.of(cidrs);
        assertTrue(many.contains(ip("10.63.254.9")));
        assertFalse(many.contains(ip("10.63.255.9")));
        assertFalse(many.contains(ip("10.64.0.1")));
        assertTrue(many.contains(ip("10.0.0.0")));
    }
}
