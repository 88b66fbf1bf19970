package io.swarmgate.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    private static String slash24(int[] o) {
        return o[0] + "." + o[1] + "." + o[2];
    }

    @Test
    void viewersAreDealtRoundRobinOverSubnetsStartingAt127_0_1_1() {
        SourceAddresses a = new SourceAddresses(10);
        assertEquals("127.0.1.1", a.dotted(0));
        assertEquals("127.0.10.1", a.dotted(9));
        assertEquals("127.0.1.2", a.dotted(10));
        assertEquals("127.0.3.5", a.dotted(42));
        assertEquals("127.0.3.5", a.addressOf(42).getHostAddress());
    }

    @Test
    void twentyThousandViewersOnTwoHundredSubnetsSeeTwoHundredDistinct24sAndOwnAddresses() {
        SourceAddresses a = new SourceAddresses(200);
        Set<String> subnets = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            int[] o = a.octets(i);
            assertEquals(127, o[0]);
            assertNotEquals("127.0.0", slash24(o), "viewer " + i + " must not use 127.0.0.x");
            assertTrue(o[3] >= 1 && o[3] <= 254, "host octet of viewer " + i);
            subnets.add(slash24(o));
            addresses.add(a.dotted(i));
        }
        assertEquals(200, subnets.size());
        assertEquals(20_000, addresses.size());
        assertEquals(1, a.viewersPerAddress(20_000));
    }

    @Test
    void neverUses127_0_0AcrossAllSubnetIndexesAndSpillsPast255IntoTheSecondOctet() {
        SourceAddresses a = new SourceAddresses(SourceAddresses.MAX_SUBNETS);
        Set<String> subnets = new HashSet<>();
        for (int i = 0; i < SourceAddresses.MAX_SUBNETS; i++) {
            int[] o = a.octets(i);
            assertNotEquals(0, o[2], "third octet of subnet " + i);
            assertTrue(o[1] <= 255 && o[2] <= 255);
            subnets.add(slash24(o));
        }
        assertEquals(SourceAddresses.MAX_SUBNETS, subnets.size());
        assertArrayEquals(new int[] {127, 1, 1, 1}, a.octets(255));
    }

    @Test
    void aFullSubnetSharesAddressesInsteadOfOpeningAnother24AndStaysUnderThePerIpCap() {
        SourceAddresses a = new SourceAddresses(2);
        int viewers = (int) a.capacity();
        Set<String> subnets = new HashSet<>();
        Map<String, Integer> perAddress = new HashMap<>();
        for (int i = 0; i < viewers; i++) {
            subnets.add(slash24(a.octets(i)));
            perAddress.merge(a.dotted(i), 1, Integer::sum);
        }
        assertEquals(Set.of("127.0.1", "127.0.2"), subnets);
        assertEquals(2 * SourceAddresses.HOSTS_PER_SUBNET, perAddress.size());
        assertEquals(SourceAddresses.MAX_VIEWERS_PER_ADDRESS, perAddress.values().stream().max(Integer::compare).get());
        assertEquals(SourceAddresses.MAX_VIEWERS_PER_ADDRESS, a.viewersPerAddress(viewers));
        assertEquals(2, a.viewersPerAddress(2 * 255));
    }

    @Test
    void rejectsImpossibleSubnetCounts() {
        assertThrows(IllegalArgumentException.class, () -> new SourceAddresses(0));
        assertThrows(IllegalArgumentException.class, () -> new SourceAddresses(SourceAddresses.MAX_SUBNETS + 1));
    }
}
