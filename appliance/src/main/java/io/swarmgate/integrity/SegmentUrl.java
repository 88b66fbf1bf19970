package io.swarmgate.integrity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A segment as a viewer names it in {@code hash}: an absolute http(s) URL without user info, and
 * for byte-range addressing (HLS {@code EXT-X-BYTERANGE}, DASH {@code SegmentBase} and
 * {@code mediaRange}) the inclusive byte range within it. The segment's identity in the swarm
 * ({@link #id}, docs/protocol.md "Segment identity") is the same string the SDK computes.
 *
 * @param uri    the URL to fetch (whole query kept: origins may need it)
 * @param origin {@code scheme://host[:port]}, as page origins are written
 * @param range  the bytes within the resource, or null for the whole resource
 */
public record SegmentUrl(URI uri, String origin, Range range) {

    /** Longest URL accepted, as in the signaling protocol. */
    public static final int MAX_LENGTH = 2048;

    /** Inclusive byte range {@code first-last}, as HTTP {@code Range: bytes=first-last} names it. */
    public record Range(long first, long last) {
        /** The form of {@code range} in {@code hash}: two decimals of at most 15 digits. */
        public static final Pattern WIRE = Pattern.compile("(0|[1-9][0-9]{0,14})-(0|[1-9][0-9]{0,14})");

        public Range {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("byte range " + first + "-" + last + " is empty or negative");
            }
        }

        /** The range as written in {@code hash}, or empty when it is not {@code first-last} with first ≤ last. */
        public static Optional<Range> parse(String text) {
            Matcher m = text == null ? null : WIRE.matcher(text);
            if (m == null || !m.matches()) {
                return Optional.empty();
            }
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            return last < first ? Optional.empty() : Optional.of(new Range(first, last));
        }

        public long length() {
            return last - first + 1;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

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
        return Optional.of(new SegmentUrl(uri, origin, null));
    }

    /** The same URL narrowed to {@code range} (null: the whole resource). */
    public SegmentUrl withRange(Range range) {
        return new SegmentUrl(uri, origin, range);
    }

    /**
     * The segment's identity: origin, path as written, the query's parameters in their order
     * except the per-viewer ones (names compared ignoring case; a query left empty is dropped),
     * and {@code #bytes=first-last} for a byte range. Tokens in the query so never split a swarm,
     * while two segments that differ in any other parameter never collide.
     *
     * @param viewerParams query parameter names that differ per viewer (the stream policy's list)
     */
    public String id(Collection<String> viewerParams) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder id = new StringBuilder(origin).append(path);
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            StringJoiner kept = new StringJoiner("&", "?", "").setEmptyValue("");
            for (String pair : query.split("&", -1)) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (!containsIgnoringCase(viewerParams, name)) {
                    kept.add(pair);
                }
            }
            id.append(kept);
        }
        if (range != null) {
            id.append("#bytes=").append(range);
        }
        return id.toString();
    }

    private static boolean containsIgnoringCase(Collection<String> names, String name) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The path, decoded as a server would route it. */
    public String path() {
        return uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
    }
}
