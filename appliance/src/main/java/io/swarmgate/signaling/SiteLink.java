package io.swarmgate.signaling;

import java.time.Instant;

/**
 * A site's WAN link as its viewers measured it: the HTTP throughput a viewer joining the site is
 * told ({@code welcome.siteHttpKbps}), and when the newest report it rests on arrived.
 *
 * @param kbps       the median of the site's reports (kbit/s)
 * @param measuredAt when the newest of those reports arrived
 */
public record SiteLink(long kbps, Instant measuredAt) {

    /**
     * Under this figure (kbit/s) the SDK takes a site's link for congested: its viewers open their
     * peer connections at once and wait for LAN neighbours before they add fetches to the link. It
     * is the SDK's threshold, {@code CONGESTED_SITE_BPS} in sdk/src/core/scheduler.js (8,000,000
     * bit/s); the two change together.
     */
    public static final long CONGESTED_BELOW_KBPS = 8_000;

    /** Whether viewers joining the site take its link for congested. */
    public boolean congested() {
        return kbps < CONGESTED_BELOW_KBPS;
    }
}
