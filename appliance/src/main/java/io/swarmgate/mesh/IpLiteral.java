package io.swarmgate.mesh;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict IPv4/IPv6 address literals. {@link InetAddress#getByName} is deliberately not used: it
 * accepts host names (a DNS lookup the appliance must never make), octal and shortened IPv4 forms
 * such as {@code 10.1}, and zone ids. Here only dotted-quad IPv4 without leading zeros and
 * RFC 4291 IPv6 text (with an optional trailing dotted quad) are accepted.
 */
public final class IpLiteral {

    private IpLiteral() {
    }

    /**
     * Parses a literal into 4 or 16 bytes.
     *
     * @throws IllegalArgumentException naming the text when it is not an address literal
     */
    public static byte[] parse(String text) {
        byte[] bytes = text == null ? null : text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address literal");
        }
        return bytes;
    }

    /** Parses a literal into an {@link InetAddress} without any name lookup. */
    public static InetAddress toInetAddress(String text) {
        try {
            return InetAddress.getByAddress(parse(text));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' has an impossible address length", e);
        }
    }

    /**
     * The address bytes with IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) folded to 4 bytes, so a
     * dual-stack socket's view of an IPv4 viewer lands in the IPv4 site map.
     */
    public static byte[] canonicalBytes(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            byte[] v4 = new byte[4];
            System.arraycopy(bytes, 12, v4, 0, 4);
            return v4;
        }
        if (!(address instanceof Inet4Address) && !(address instanceof Inet6Address)) {
            throw new IllegalArgumentException("unsupported address type " + address.getClass().getName());
        }
        return bytes;
    }

    static boolean isV4Mapped(byte[] bytes) {
        if (bytes.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
    public static String format(byte[] bytes) {
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952: a single zero group is never shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static byte[] parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int k = 0; k < part.length(); k++) {
                char c = part.charAt(k);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    private static byte[] parseV6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && gap != text.lastIndexOf("::")) {
            return null; // ":::" or two "::"
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        int headCount;
        int tailCount = 0;
        if (gap < 0) {
            headCount = groups(text, true, head);
            if (headCount != 8) {
                return null;
            }
        } else {
            headCount = groups(text.substring(0, gap), false, head);
            tailCount = groups(text.substring(gap + 2), true, tail);
            if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
                return null;
            }
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < headCount; i++) {
            bytes[2 * i] = (byte) (head[i] >> 8);
            bytes[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tailCount; i++) {
            int at = 8 - tailCount + i;
            bytes[2 * at] = (byte) (tail[i] >> 8);
            bytes[2 * at + 1] = (byte) tail[i];
        }
        return bytes;
    }

    /** Parses colon-separated groups into {@code out}; returns the group count or -1. */
    private static int groups(String part, boolean dottedLastAllowed, int[] out) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] items = part.split(":", -1);
        int count = 0;
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            if (i == items.length - 1 && dottedLastAllowed && item.indexOf('.') >= 0) {
                byte[] v4 = parseV4(item);
                if (v4 == null || count + 2 > 8) {
                    return -1;
                }
                out[count++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[count++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (item.isEmpty() || item.length() > 4 || count >= 8) {
                return -1;
            }
            int value = 0;
            for (int k = 0; k < item.length(); k++) {
                int digit = Character.digit(item.charAt(k), 16);
                if (digit < 0) {
                    return -1;
                }
                value = (value << 4) | digit;
            }
            out[count++] = value;
        }
        return count;
    }
}
