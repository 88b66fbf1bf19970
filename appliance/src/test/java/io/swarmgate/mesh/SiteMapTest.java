package io.swarmgate.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SiteMapTest {

    private static final SiteMap MAP = SiteMap.of(List.of(
            new SiteRange("10.0.0.0/8", "corp", "all of corp"),
            new SiteRange("10.20.0.0/16", "paris", "Paris campus"),
            new SiteRange("10.20.5.0/24", "paris-lab", ""),
            new SiteRange("10.20.5.7/32", "paris-kiosk", ""),
            new SiteRange("2001:db8::/32", "corp6", ""),
            new SiteRange("2001:db8:20::/48", "paris", "Paris v6"),
            new SiteRange("::ffff:192.168.0.0/112", "legacy", "")));

    private static InetAddress ip(String literal) {
        return IpLiteral.toInetAddress(literal);
    }

    @Test
    void ipv4PicksTheLongestMatchingPrefixAmongNestedRanges() {
        assertEquals("corp", MAP.resolve(ip("10.99.1.1")).name());
        assertEquals("paris", MAP.resolve(ip("10.20.4.1")).name());
        assertEquals("Paris campus", MAP.resolve(ip("10.20.4.1")).label());
        assertEquals("paris-lab", MAP.resolve(ip("10.20.5.8")).name());
        assertEquals("paris-kiosk", MAP.resolve(ip("10.20.5.7")).name());
    }

    @Test
    void ipv6PicksTheLongestMatchingPrefix() {
        assertEquals("corp6", MAP.resolve(ip("2001:db8:1::1")).name());
        assertEquals("paris", MAP.resolve(ip("2001:db8:20:ffff::9")).name());
    }

    @Test
    void slashZeroIsTheDefaultOnlyForItsOwnFamily() {
        SiteMap map = SiteMap.of(List.of(new SiteRange("0.0.0.0/0", "anywhere4", ""),
                new SiteRange("::/0", "anywhere6", ""), new SiteRange("172.16.0.0/12", "branch", "")));
        assertEquals("anywhere4", map.resolve(ip("8.8.8.8")).name());
        assertEquals("branch", map.resolve(ip("172.31.255.255")).name());
        assertEquals("anywhere6", map.resolve(ip("fe80::1")).name());
    }

    @Test
    void unmappedIpv4ViewersAreGroupedByTheirSlash24() {
        Site site = MAP.resolve(ip("172.16.9.200"));
        assertEquals("auto:172.16.9.0/24", site.name());
        assertTrue(site.automatic());
        assertEquals(site, MAP.resolve(ip("172.16.9.1")));
        assertFalse(site.equals(MAP.resolve(ip("172.16.10.1"))));
    }

    @Test
    void unmappedIpv6ViewersAreGroupedByTheirSlash64() {
        Site site = MAP.resolve(ip("fd00:1:2:3:aaaa:bbbb:cccc:dddd"));
        assertEquals("auto:fd00:1:2:3::/64", site.name());
        assertEquals(site, MAP.resolve(ip("fd00:1:2:3::1")));
        assertEquals("auto:fd00:1:2:4::/64", MAP.resolve(ip("fd00:1:2:4::1")).name());
        assertEquals("auto:fd00::/64", MAP.resolve(ip("fd00::5")).name());
    }

    @Test
    void ipv4MappedIpv6AddressesAreTreatedAsIpv4() throws UnknownHostException {
        byte[] mapped = IpLiteral.parse("::ffff:10.20.5.8");
        // Inet6Address.getByAddress keeps the 16-byte form, as a dual-stack socket may report it.
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertEquals("paris-lab", MAP.resolve(v6).name());
        InetAddress unmapped = Inet6Address.getByAddress(null, IpLiteral.parse("::ffff:172.16.9.4"), -1);
        assertEquals("auto:172.16.9.0/24", MAP.resolve(unmapped).name());
    }

    @Test
    void ipv4MappedRangesMatchPlainIpv4Viewers() {
        assertEquals("legacy", MAP.resolve(ip("192.168.44.1")).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08",
            "10.0.0/8", "10.0.0.256/32", "010.0.0.0/8", "10.0.0.0/8x", "localhost/8", "example.com/24", "1.2.3.4.5/32",
            "2001:db8::1/32", "2001:db8::/129", "2001:db8:::/48", "1::2::3/64", "2001:db8::/48%eth0", "fe80::%1/64",
            "12345::/16", "1:2:3:4:5:6:7:8:9/128", "1:2:3:4:5:6:7/112", "::ffff:1.2.3/120", " 10.0.0.0/8", ""})
    void malformedCidrsAreRejectedWithAMessageNamingThem(String cidr) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SiteMap.of(List.of(new SiteRange(cidr, "site", ""))));
        assertTrue(e.getMessage().contains("'" + cidr + "'"), e.getMessage());
    }

    @Test
    void hostBitsErrorSuggestsTheNetworkAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SiteMap.of(List.of(new SiteRange("10.1.2.3/16", "x", ""))));
        assertTrue(e.getMessage().contains("10.1.0.0/16"), e.getMessage());
    }

    @Test
    void theSameBlockListedTwiceIsRejectedEvenWhenSpelledDifferently() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SiteMap.of(List.of(
                new SiteRange("2001:db8::/32", "a", ""), new SiteRange("2001:0db8:0::/32", "b", ""))));
        assertTrue(e.getMessage().contains("2001:0db8:0::/32"), e.getMessage());
    }

    @Test
    void automaticSiteNamesCannotBeClaimedByAdmins() {
        assertThrows(IllegalArgumentException.class, () -> new SiteRange("10.0.0.0/8", "auto:10.0.0.0/24", ""));
    }

    @Test
    void emptyMapGivesEveryoneAnAutomaticSite() {
        assertEquals("auto:10.20.5.0/24", SiteMap.empty().resolve(ip("10.20.5.7")).name());
    }

    @Test
    void placesItsNamedSitesAndTheAutomaticSitesOfLinksNoRangeCovers() {
        assertTrue(MAP.places("paris"));
        assertTrue(MAP.places("legacy"));
        assertFalse(MAP.places("berlin"), "a site no range names (removed, or never there)");
        assertTrue(MAP.places("auto:172.16.4.0/24"));
        assertTrue(MAP.places("auto:2001:db9:0:1::/64"));
        assertFalse(MAP.places("auto:10.20.5.0/24"), "inside paris-lab: its viewers are placed there");
        assertFalse(MAP.places("auto:172.16.4.9/24"), "not the link's name");
        assertFalse(MAP.places("auto:172.16.0.0/16"), "automatic sites are /24 or /64");
        assertFalse(MAP.places("auto:2001:db9:0:1::/48"));
        assertFalse(MAP.places("auto:172.16.4.0"));
        assertFalse(MAP.places("auto:intranet.example/24"), "no name lookup");
        assertFalse(MAP.places("auto:"));
    }

    @Test
    void formatsIpv6TheRfc5952Way() {
        assertEquals("2001:db8::1:0:0:1", IpLiteral.format(IpLiteral.parse("2001:db8:0:0:1:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", IpLiteral.format(IpLiteral.parse("2001:db8::1:1:1:1:1")));
        assertEquals("::", IpLiteral.format(IpLiteral.parse("::")));
        assertEquals("::1", IpLiteral.format(IpLiteral.parse("0:0:0:0:0:0:0:1")));
    }

    @Test
    void lookupOfALargeMapStillResolvesEveryRange() {
        List<SiteRange> ranges = new java.util.ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            ranges.add(new SiteRange("10." + (i >> 8) + "." + (i & 255) + ".0/24", "s" + i, ""));
        }
        SiteMap map = SiteMap.of(ranges);
        assertEquals("s0", map.resolve(ip("10.0.0.1")).name());
        assertEquals("s4095", map.resolve(ip("10.15.255.77")).name());
        assertEquals("auto:10.16.0.0/24", map.resolve(ip("10.16.0.1")).name());
    }
}
