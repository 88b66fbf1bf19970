package io.swarmgate.mesh;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Immutable CIDR → site lookup with longest-prefix match over IPv4 and IPv6.
 *
 * <p>Built once from the admin's ranges into a binary trie stored in flat int arrays (one node per
 * distinct prefix bit, two roots: IPv4 and IPv6). {@link #resolve} walks at most 32 or 128 nodes,
 * so its cost does not depend on how many ranges the map holds, and it allocates only the
 * automatic site of an unmapped viewer. A change of ranges builds a new map; the holder swaps its
 * (volatile) reference, so lookups never see a half-built map and need no lock.
 *
 * <p>Viewers that no range covers get an automatic site named after their /24 (IPv4) or /64
 * (IPv6), e.g. {@code auto:10.1.2.0/24}, {@code auto:2001:db8:1:2::/64}. IPv4-mapped IPv6 addresses
 * are treated as IPv4 in both cases.
 */
public final class SiteMap {

    private static final int ROOT_V4 = 0;
    private static final int ROOT_V6 = 1;
    private static final int AUTO_V4_PREFIX = 24;
    private static final int AUTO_V6_PREFIX = 64;
    private static final SiteMap EMPTY = of(List.of());

    private final List<SiteRange> ranges;
    // Child links; 0 means "none" because node 0 is the IPv4 root and never anyone's child.
    private final int[] zero;
    private final int[] one;
    // Index into sites, or -1 when no range ends at this node.
    private final int[] value;
    private final Site[] sites;
    private final Set<String> names;

    private SiteMap(List<SiteRange> ranges, int[] zero, int[] one, int[] value, Site[] sites) {
        this.ranges = ranges;
        this.names = ranges.stream().map(SiteRange::site).collect(Collectors.toUnmodifiableSet());
        this.zero = zero;
        this.one = one;
        this.value = value;
        this.sites = sites;
    }

    /** A map without ranges: every viewer gets an automatic site. */
    public static SiteMap empty() {
        return EMPTY;
    }

    /**
     * Builds a map. Every CIDR is validated strictly; the same block listed twice (even spelled
     * differently) is rejected because which site wins would be arbitrary.
     *
     * @throws IllegalArgumentException naming the offending CIDR
     */
    public static SiteMap of(List<SiteRange> ranges) {
        Builder builder = new Builder(ranges.size());
        Map<String, SiteRange> seen = new HashMap<>();
        for (SiteRange range : ranges) {
            Cidr cidr = Cidr.parse(range.cidr());
            SiteRange earlier = seen.putIfAbsent(cidr.toString(), range);
            if (earlier != null) {
                throw new IllegalArgumentException("invalid CIDR '" + range.cidr() + "': the same block as '"
                        + earlier.cidr() + "' (site " + earlier.site() + ") is listed twice");
            }
            builder.insert(cidr, new Site(range.site(), range.label(), false));
        }
        return builder.build(List.copyOf(ranges));
    }

    /** The ranges this map was built from, in their original order. */
    public List<SiteRange> ranges() {
        return ranges;
    }

    /** The site of the most specific range containing {@code address}, else its automatic site. */
    public Site resolve(InetAddress address) {
        byte[] bytes = IpLiteral.canonicalBytes(address);
        boolean v4 = bytes.length == 4;
        int node = v4 ? ROOT_V4 : ROOT_V6;
        int best = value[node];
        int bits = bytes.length * 8;
        for (int i = 0; i < bits; i++) {
            node = Cidr.bit(bytes, i) ? one[node] : zero[node];
            if (node == 0) {
                break;
            }
            if (value[node] >= 0) {
                best = value[node];
            }
        }
        if (best >= 0) {
            return sites[best];
        }
        return new Site(Site.AUTOMATIC_PREFIX + linkOf(address), "", true);
    }

    /**
     * Whether this map places viewers in {@code site}: a site one of its ranges names, or the
     * automatic site of a /24 or /64 that no range covers, named as {@link #resolve} names it.
     */
    public boolean places(String site) {
        if (!site.startsWith(Site.AUTOMATIC_PREFIX)) {
            return names.contains(site);
        }
        String link = site.substring(Site.AUTOMATIC_PREFIX.length());
        int slash = link.indexOf('/');
        try {
            return slash > 0 && resolve(IpLiteral.toInetAddress(link.substring(0, slash))).name().equals(site);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The network a viewer most likely shares a link with: its /24 (IPv4) or /64 (IPv6), written
     * like {@code 10.1.2.0/24}. Automatic sites are named after it.
     */
    public static String linkOf(InetAddress address) {
        byte[] bytes = IpLiteral.canonicalBytes(address);
        int prefix = bytes.length == 4 ? AUTO_V4_PREFIX : AUTO_V6_PREFIX;
        return IpLiteral.format(Cidr.mask(bytes, prefix)) + "/" + prefix;
    }

    /** Grows the trie in arrays during construction; never shared. */
    private static final class Builder {
        private int[] zero;
        private int[] one;
        private int[] value;
        private int size = 2;
        private final List<Site> sites = new ArrayList<>();

        Builder(int expectedRanges) {
            int capacity = Math.max(64, expectedRanges * 24);
            zero = new int[capacity];
            one = new int[capacity];
            value = new int[capacity];
            Arrays.fill(value, -1);
        }

        void insert(Cidr cidr, Site site) {
            int node = cidr.isV4() ? ROOT_V4 : ROOT_V6;
            for (int i = 0; i < cidr.prefixLength(); i++) {
                int[] links = cidr.bit(i) ? one : zero;
                if (links[node] == 0) {
                    int child = newNode();
                    // newNode may have grown the arrays; re-read the link table.
                    links = cidr.bit(i) ? one : zero;
                    links[node] = child;
                }
                node = links[node];
            }
            value[node] = sites.size();
            sites.add(site);
        }

        private int newNode() {
            if (size == value.length) {
                int capacity = size * 2;
                zero = Arrays.copyOf(zero, capacity);
                one = Arrays.copyOf(one, capacity);
                value = Arrays.copyOf(value, capacity);
                Arrays.fill(value, size, capacity, -1);
            }
            return size++;
        }

        SiteMap build(List<SiteRange> ranges) {
            return new SiteMap(ranges, Arrays.copyOf(zero, size), Arrays.copyOf(one, size),
                    Arrays.copyOf(value, size), sites.toArray(new Site[0]));
        }
    }
}
