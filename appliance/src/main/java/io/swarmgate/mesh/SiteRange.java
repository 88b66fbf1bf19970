package io.swarmgate.mesh;

/**
 * One row of the admin's site map: viewers whose address falls in {@code cidr} belong to
 * {@code site}. The same site may appear on many rows. Mirrors the CSV columns of
 * {@code swarmgate site import}.
 *
 * @param cidr  block such as {@code 10.20.0.0/16} or {@code 2001:db8:20::/48}
 * @param site  site name, the unit the coordinator keeps swarms and leaders for
 * @param label free text for the console, may be empty
 */
public record SiteRange(String cidr, String site, String label) {
    public SiteRange {
        if (site == null || site.isBlank()) {
            throw new IllegalArgumentException("site range '" + cidr + "' has no site name");
        }
        if (site.startsWith(Site.AUTOMATIC_PREFIX)) {
            throw new IllegalArgumentException("site range '" + cidr + "': site names starting with '"
                    + Site.AUTOMATIC_PREFIX + "' are reserved for automatic sites");
        }
        label = label == null ? "" : label;
    }
}
