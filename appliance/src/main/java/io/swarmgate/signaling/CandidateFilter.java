package io.swarmgate.signaling;

import io.swarmgate.mesh.NetworkSet;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps WebRTC on the LAN: only {@code host} candidates whose address is an mDNS name
 * ({@code <uuid>.local}, what browsers use to hide local IPs) or an IP inside the allowed networks,
 * and {@code srflx} candidates whose address is an IP inside the allowed networks, are relayed.
 * A server-reflexive candidate comes from the appliance's own STUN responder, which sees a LAN
 * desktop at its real address; a reflexive address outside the allowed networks (a NAT's public
 * one) and relayed candidates would lead traffic off the LAN or to a TURN server, which the
 * appliance never hands out. Applied both to trickled candidates and to candidate lines inside an
 * SDP.
 *
 * <p>The rule must hold against the most lenient browser parser, not the most common one: Firefox
 * reads {@code A=candidate}, {@code a=Candidate:}, tabs and runs of blanks between fields,
 * {@code TYP HOST} and upper-case types. So attribute names, {@code typ} and the type are compared
 * without regard to case, fields are split on any run of whitespace, and any SDP line that a
 * parser could take for a candidate attribute goes through {@link #rejection}; whatever cannot be
 * parsed here is dropped, never passed on.
 */
final class CandidateFilter {

    private static final Pattern MDNS = Pattern.compile("[a-z0-9-]{1,63}\\.local", Pattern.CASE_INSENSITIVE);
    private static final Pattern FIELDS = Pattern.compile("\\s+");
    /** {@code a=candidate…} in any case, with blanks around the {@code =}, after any leading blanks. */
    private static final Pattern CANDIDATE_LINE = Pattern.compile("^\\s*a\\s*=\\s*candidate", Pattern.CASE_INSENSITIVE);
    private final NetworkSet allowed;

    CandidateFilter(NetworkSet allowed) {
        this.allowed = allowed;
    }

    /**
     * Why {@code candidate} (an {@code a=candidate} value, with or without the {@code candidate:}
     * prefix or the {@code a=}) may not be relayed, or {@code null} if it may. The empty string is
     * the end-of-candidates marker and passes.
     */
    String rejection(String candidate) {
        String c = candidate.strip();
        if (c.isEmpty()) {
            return null;
        }
        String lower = c.toLowerCase(Locale.ROOT);
        if (CANDIDATE_LINE.matcher(c).lookingAt()) {
            c = c.substring(c.indexOf('=') + 1).strip();
            lower = c.toLowerCase(Locale.ROOT);
        }
        if (!lower.startsWith("candidate:")) {
            return "not an ICE candidate";
        }
        // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [...]
        String[] f = FIELDS.split(c.substring("candidate:".length()).strip());
        if (f.length < 8 || !"typ".equalsIgnoreCase(f[6])) {
            return "malformed ICE candidate";
        }
        String type = f[7].toLowerCase(Locale.ROOT);
        if (!"host".equals(type) && !"srflx".equals(type)) {
            return "only host and server-reflexive candidates are relayed (got " + SignalingCodec.truncate(type) + ")";
        }
        String address = f[4];
        if ("host".equals(type) && MDNS.matcher(address).matches()) {
            return null;
        }
        if (!allowed.containsLiteral(address)) {
            return "candidate address " + SignalingCodec.truncate(address) + " is outside the allowed networks";
        }
        return null;
    }

    /**
     * The SDP with every disallowed candidate line removed. Lines end at LF (a CR before it stays
     * with the line); a line that a lenient parser could split again at a bare CR is judged as a
     * whole and, if it names a candidate anywhere, dropped unless each part passes.
     */
    String filterSdp(String sdp) {
        StringBuilder out = new StringBuilder(sdp.length());
        for (String line : sdp.split("(?<=\n)")) {
            if (allowedLine(line)) {
                out.append(line);
            }
        }
        return out.toString();
    }

    private boolean allowedLine(String line) {
        String body = line.endsWith("\r\n") ? line.substring(0, line.length() - 2)
                : line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
        for (String part : body.split("\r", -1)) {
            if (CANDIDATE_LINE.matcher(part).lookingAt() && rejection(part) != null) {
                return false;
            }
        }
        return true;
    }
}
