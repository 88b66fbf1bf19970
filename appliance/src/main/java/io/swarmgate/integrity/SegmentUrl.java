package io.swarmgate.integrity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * A segment URL as a viewer names it in {@code hash}: an absolute http(s) URL without user info.
 * {@code id} is the segment's identity in the swarm (docs/protocol.md, "Framing"): scheme and host
 * lower-case, default port dropped, query and fragment removed, the path as written.
 *
 * @param uri    the URL to fetch (query kept: origins may need it)
 * @param origin {@code scheme://host[:port]}, as page origins are written
 * @param id     the swarm identity the hash is kept under
 */
public record SegmentUrl(URI uri, String origin, String id) {

    /** Longest URL accepted, as in the signaling protocol. */
    public static final int MAX_LENGTH = 2048;

    /** The URL, or empty when it is not an absolute http(s) URL with a host and no user info. */
    public static Optional<SegmentUrl> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.isOpaque()) {
            return Optional.empty();
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port == ("https".equals(scheme) ? 443 : 80)) {
            port = -1;
        }
        String origin = scheme + "://" + host + (port == -1 ? "" : ":" + port);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return Optional.of(new SegmentUrl(uri, origin, origin + path));
    }

    /** The path, decoded as a server would route it. */
    public String path() {
        return uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
    }
}
