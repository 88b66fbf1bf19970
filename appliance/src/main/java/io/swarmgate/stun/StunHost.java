package io.swarmgate.stun;

import io.swarmgate.mesh.IpLiteral;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The host part of a request's {@code Host} header, checked before it goes into a
 * {@code stun:} URL: a DNS name (letters, digits, hyphens, dots; at most 253 characters), an IPv4
 * literal or a bracketed IPv6 literal, with an optional port that is dropped. Anything else
 * (user info, paths, blanks, zone ids, bad ports) gives null, and the viewer gets no ICE server.
 */
final class StunHost {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    private StunHost() {
    }

    static String hostOf(String header) {
        if (header == null || header.isEmpty() || header.length() > 300) {
            return null;
        }
        String h = header.toLowerCase(Locale.ROOT);
        String host;
        String port = null;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = h.substring(1, close);
            String rest = h.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                port = rest.substring(1);
            }
            if (!host.contains(":") || !isIpLiteral(host)) {
                return null;
            }
            host = "[" + IpLiteral.format(IpLiteral.parse(host)) + "]";
        } else {
            int colon = h.indexOf(':');
            if (colon >= 0) {
                port = h.substring(colon + 1);
                h = h.substring(0, colon);
            }
            if (!isDnsName(h)) {
                return null;
            }
            host = h;
        }
        if (port != null && (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535)) {
            return null;
        }
        return host;
    }

    private static boolean isDnsName(String h) {
        if (h.isEmpty() || h.length() > 253) {
            return false;
        }
        String name = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        if (name.isEmpty()) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpLiteral(String h) {
        try {
            IpLiteral.parse(h);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
