package io.swarmgate.signaling;

import io.swarmgate.mesh.NetworkSet;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps WebRTC on the LAN: only {@code host} candidates are relayed, and only when their address
 * is an mDNS name ({@code <uuid>.local}, what browsers use to hide local IPs) or an IP inside the
 * allowed networks. Server-reflexive and relayed candidates would lead traffic off the LAN or to
 * a TURN server, which the appliance never hands out. Applied both to trickled candidates and to
 * candidate lines inside an SDP.
 */
final class CandidateFilter {

    private static final Pattern MDNS = Pattern.compile("[A-Za-z0-9-]{1,63}\\.local");
    private final NetworkSet allowed;

    CandidateFilter(NetworkSet allowed) {
        this.allowed = allowed;
    }

    /**
     * Why {@code candidate} (an {@code a=candidate} value, with or without the {@code candidate:}
     * prefix) may not be relayed, or {@code null} if it may. The empty string is the
     * end-of-candidates marker and passes.
     */
    String rejection(String candidate) {
        String c = candidate.strip();
        if (c.isEmpty()) {
            return null;
        }
        if (c.startsWith("a=")) {
            c = c.substring(2);
        }
        if (!c.startsWith("candidate:")) {
            return "not an ICE candidate";
        }
        // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [...]
        String[] f = c.substring("candidate:".length()).split(" +");
        if (f.length < 8 || !"typ".equals(f[6])) {
            return "malformed ICE candidate";
        }
        String type = f[7].toLowerCase(Locale.ROOT);
        if (!"host".equals(type)) {
            return "only host candidates are relayed (got " + type + ")";
        }
        String address = f[4];
        if (MDNS.matcher(address).matches()) {
            return null;
        }
        if (!allowed.containsLiteral(address)) {
            return "candidate address " + address + " is outside the allowed networks";
        }
        return null;
    }

    /** The SDP with every disallowed candidate line removed. */
    String filterSdp(String sdp) {
        StringBuilder out = new StringBuilder(sdp.length());
        for (String line : sdp.split("(?<=\n)")) {
            if (line.startsWith("a=candidate:") && rejection(line.strip()) != null) {
                continue;
            }
            out.append(line);
        }
        return out.toString();
    }
}
