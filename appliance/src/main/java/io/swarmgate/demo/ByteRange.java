package io.swarmgate.demo;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One satisfiable byte range of a representation, parsed from a {@code Range} header (RFC 9110
 * section 14). Only single ranges are honoured: players ask for one, and ignoring a multi-range
 * request (answering 200 with the whole body) is what the RFC allows.
 */
record ByteRange(long first, long last) {

    private static final Pattern SINGLE = Pattern.compile("bytes=\\s*(\\d{0,18})-(\\d{0,18})\\s*");

    /** Sentinel for a syntactically valid range that lies outside the representation (416). */
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    /**
     * @return {@code null} when the header is absent, malformed or multi-range (serve it all),
     *         {@link #UNSATISFIABLE}, or the range clipped to {@code length}
     */
    static ByteRange parse(String header, long length) {
        if (header == null) {
            return null;
        }
        Matcher m = SINGLE.matcher(header);
        if (!m.matches()) {
            return null;
        }
        String start = m.group(1);
        String end = m.group(2);
        if (start.isEmpty() && end.isEmpty()) {
            return null;
        }
        if (start.isEmpty()) {
            long suffix = Long.parseLong(end);
            if (suffix == 0 || length == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, length - suffix), length - 1);
        }
        long first = Long.parseLong(start);
        if (!end.isEmpty() && Long.parseLong(end) < first) {
            return null;
        }
        if (first >= length) {
            return UNSATISFIABLE;
        }
        long last = end.isEmpty() ? length - 1 : Long.parseLong(end);
        return new ByteRange(first, Math.min(last, length - 1));
    }

    long length() {
        return last - first + 1;
    }

    String contentRange(long total) {
        return "bytes " + first + "-" + last + "/" + total;
    }
}
