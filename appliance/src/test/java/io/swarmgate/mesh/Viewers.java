package io.swarmgate.mesh;

/** Short factories for test viewers; all on stream "live" unless named otherwise. */
final class Viewers {

    static final String STREAM = "live";

    private Viewers() {
    }

    static PeerInfo uploader(String id, String site, long kbps) {
        return new PeerInfo(id, STREAM, site, true, NetworkType.ETHERNET, kbps);
    }

    static PeerInfo uploader(String id, String site) {
        return uploader(id, site, 5_000);
    }

    static PeerInfo downloader(String id, String site) {
        return new PeerInfo(id, STREAM, site, false, NetworkType.WIFI, 0);
    }

    static PeerInfo cellular(String id, String site) {
        return new PeerInfo(id, STREAM, site, true, NetworkType.CELLULAR, 50_000);
    }
}
