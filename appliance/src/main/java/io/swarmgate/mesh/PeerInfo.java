package io.swarmgate.mesh;

import java.util.Objects;

/**
 * What the coordinator knows about a viewer when it joins, taken from its {@code hello} and the
 * site map.
 *
 * @param peerId             unique across the appliance (assigned by the signaling layer)
 * @param streamId           the stream the viewer plays; swarms never span streams
 * @param site               the site name from {@link SiteMap#resolve}
 * @param canUpload          whether the SDK offers to serve segments to neighbours
 * @param networkType        the viewer's link
 * @param uploadCapacityKbps the SDK's estimate, 0 when unknown; higher is preferred as a source
 * @param link               null, or the viewer's own link ({@link SiteMap#linkOf}) when its browser
 *                           hides host addresses behind mDNS names and it was not offered the
 *                           appliance's STUN responder (io.swarmgate.stun): it is then matched only with
 *                           viewers of its site on the same link (where those names resolve), in a
 *                           swarm of their own with their own leaders
 */
public record PeerInfo(String peerId, String streamId, String site, boolean canUpload, NetworkType networkType,
                       long uploadCapacityKbps, String link) {

    /** Separates the site from the link in {@link #swarm()}; site names cannot contain it. */
    public static final String LINK_SEPARATOR = "@";

    public PeerInfo(String peerId, String streamId, String site, boolean canUpload, NetworkType networkType,
                    long uploadCapacityKbps) {
        this(peerId, streamId, site, canUpload, networkType, uploadCapacityKbps, null);
    }

    /** The group the viewer is matched in and has leaders for: its site, or its site's part on its link. */
    public String swarm() {
        return link == null ? site : site + LINK_SEPARATOR + link;
    }

    public PeerInfo {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(site, "site");
        networkType = networkType == null ? NetworkType.UNKNOWN : networkType;
        uploadCapacityKbps = Math.max(0, uploadCapacityKbps);
    }
}
