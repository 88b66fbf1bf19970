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
 */
public record PeerInfo(String peerId, String streamId, String site, boolean canUpload, NetworkType networkType,
                       long uploadCapacityKbps) {
    public PeerInfo {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(site, "site");
        networkType = networkType == null ? NetworkType.UNKNOWN : networkType;
        uploadCapacityKbps = Math.max(0, uploadCapacityKbps);
    }
}
