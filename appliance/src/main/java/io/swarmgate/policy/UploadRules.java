package io.swarmgate.policy;

/**
 * Which viewers of a stream serve segments to their neighbours, and how much each may take on.
 * The appliance decides from what a viewer declares (its network type, Save-Data, the page's
 * permission) and tells it the result and the caps in {@code welcome} and {@code policy}; the SDK
 * obeys them instead of constants of its own (docs/protocol.md, "Upload rules").
 *
 * @param onCellular    whether viewers on cellular links upload
 * @param onWifi        whether viewers on Wi-Fi upload
 * @param maxUploads    the most segments one viewer sends at the same time
 * @param maxUploadKbps the most one viewer uploads, kbit/s, over all its neighbours
 */
public record UploadRules(boolean onCellular, boolean onWifi, int maxUploads, int maxUploadKbps) {

    public static final int DEFAULT_MAX_UPLOADS = 4;
    /** The default rate cap: 20 Mbit/s. */
    public static final int DEFAULT_MAX_UPLOAD_KBPS = 20_000;
    /** Each upload goes to a neighbour, so more than the neighbour cap could never be used. */
    public static final int MAX_UPLOADS_LIMIT = StreamPolicy.MAX_NEIGHBOURS_LIMIT;
    public static final int MIN_UPLOAD_KBPS = 100;
    /** 10 Gbit/s: more than any viewer's link. */
    public static final int MAX_UPLOAD_KBPS_LIMIT = 10_000_000;

    /** Today's behaviour: not on cellular, on Wi-Fi, 4 uploads at a time, 20 Mbit/s. */
    public static final UploadRules DEFAULT = new UploadRules(false, true, DEFAULT_MAX_UPLOADS,
            DEFAULT_MAX_UPLOAD_KBPS);

    /** Throws {@link PolicyException} naming the first bad field. */
    void validate() {
        if (maxUploads < 1 || maxUploads > MAX_UPLOADS_LIMIT) {
            throw new PolicyException("max-uploads", "must be between 1 and " + MAX_UPLOADS_LIMIT + " but is "
                    + maxUploads + " (to stop uploads, set p2p to download-only)");
        }
        if (maxUploadKbps < MIN_UPLOAD_KBPS || maxUploadKbps > MAX_UPLOAD_KBPS_LIMIT) {
            throw new PolicyException("max-upload-kbps", "must be between " + MIN_UPLOAD_KBPS + " and "
                    + MAX_UPLOAD_KBPS_LIMIT + " kbit/s but is " + maxUploadKbps);
        }
    }

    public UploadRules withOnCellular(boolean allowed) {
        return new UploadRules(allowed, onWifi, maxUploads, maxUploadKbps);
    }

    public UploadRules withOnWifi(boolean allowed) {
        return new UploadRules(onCellular, allowed, maxUploads, maxUploadKbps);
    }

    public UploadRules withMaxUploads(int n) {
        return new UploadRules(onCellular, onWifi, n, maxUploadKbps);
    }

    public UploadRules withMaxUploadKbps(int kbps) {
        return new UploadRules(onCellular, onWifi, maxUploads, kbps);
    }
}
