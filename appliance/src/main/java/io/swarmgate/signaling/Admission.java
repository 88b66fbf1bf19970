package io.swarmgate.signaling;

import io.swarmgate.mesh.IpLiteral;
import io.swarmgate.mesh.NetworkSet;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.mesh.SwarmRules;
import io.swarmgate.policy.PageOrigins;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.UploadRules;
import io.swarmgate.policy.ViewerTokens;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may join which stream, and how: the client's address behind trusted proxies, the page's
 * origin, the viewer token (a JWT, {@link ViewerTokens}), and whether the viewer's network is trusted enough for the mesh.
 * Decides only; it sends nothing and changes no state, so it is safe on any thread (it reads the
 * policy service's immutable snapshot).
 */
final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** The outcome of checking a hello, or of re-checking a viewer after a policy change. */
    sealed interface Decision {
    }

    /** The viewer may not (or may no longer) watch: tell it why and close with policy violation. */
    record Refused(ErrorCode code, String message) implements Decision {
    }

    /**
     * The viewer may watch.
     *
     * @param trusted   false when an intermediate-security stream keeps this network out of the mesh
     * @param effective the policy the viewer is told in {@code welcome} or {@code policy}
     * @param inMesh    whether the coordinator places it (trusted and P2P not off for its site)
     */
    record Admitted(String streamId, StreamPolicy policy, String site, boolean trusted,
                    ServerMessage.Policy effective, boolean inMesh, ViewerTokens.Verified token) implements Decision {
    }

    private final PolicyService policies;
    private final PageOrigins pageOrigins;
    private final NetworkSet trustedNetworks;
    private final NetworkSet trustedProxies;
    private final Clock clock;

    Admission(PolicyService policies, PageOrigins pageOrigins, NetworkSet trustedNetworks, NetworkSet trustedProxies,
              Clock clock) {
        this.policies = policies;
        this.pageOrigins = pageOrigins;
        this.trustedNetworks = trustedNetworks;
        this.trustedProxies = trustedProxies;
        this.clock = clock;
    }

    /**
     * The address a connection speaks for, read from the right as nginx's
     * {@code real_ip_recursive} does: starting at the TCP peer, while the current hop is a
     * trusted proxy, step to the {@code X-Forwarded-For} entry it appended (the right-most one not
     * yet read). The first hop that is not a trusted proxy is the client; if every entry is one,
     * the left-most is. Entries left of the client are whatever the client sent and are never
     * read, so no client picks its site or passes the trusted-networks check by sending the header.
     *
     * <p>An entry that is not an IP literal (a host name, {@code unknown}, an address with a port,
     * an empty entry) stops the walk: the answer is the last good address, i.e. the trusted proxy
     * that appended the bad entry (the TCP peer when it is the right-most entry). Guessing past it
     * would let the unreadable part decide.
     *
     * @param forwardedFor every {@code X-Forwarded-For} value of the request joined with commas,
     *                     in header order; may be null
     */
    InetAddress clientAddress(InetAddress tcpPeer, String forwardedFor) {
        if (forwardedFor == null || !trustedProxies.contains(tcpPeer)) {
            return tcpPeer;
        }
        String[] entries = forwardedFor.split(",", -1);
        InetAddress current = tcpPeer;
        for (int i = entries.length - 1; i >= 0 && trustedProxies.contains(current); i--) {
            String entry = entries[i].strip();
            try {
                current = IpLiteral.toInetAddress(entry);
            } catch (IllegalArgumentException e) {
                LOG.debug("{} - X-Forwarded-For entry '{}' is not an address; the client is {}", tcpPeer,
                        SignalingCodec.truncate(entry), current.getHostAddress());
                return current;
            }
        }
        return current;
    }

    /** Checks a hello from a page of {@code origin} (may be null) at {@code address}. */
    Decision hello(ClientMessage.Hello hello, String origin, InetAddress address) {
        PolicyService.ResolvedStream resolved = policies.resolve(hello.stream());
        StreamPolicy policy = resolved.policy();
        if (!originAllowed(policy, origin)) {
            return new Refused(ErrorCode.ORIGIN_NOT_ALLOWED, "pages from " + SignalingCodec.truncate(origin)
                    + " may not join stream " + resolved.streamId());
        }
        ViewerTokens.Verified token = null;
        if (policy.requiresToken()) {
            if (hello.token() == null) {
                return new Refused(ErrorCode.TOKEN_REQUIRED, "this stream requires a viewer token");
            }
            Instant now = clock.instant();
            try {
                token = ViewerTokens.verify(policy.tokens().acceptedSecrets(now), policy.id(), hello.token(), now,
                        policy.tokens().maxLifetime());
            } catch (ViewerTokens.TokenException e) {
                return new Refused(switch (e.failure()) {
                    case EXPIRED -> ErrorCode.TOKEN_EXPIRED;
                    case LIFETIME_TOO_LONG -> ErrorCode.TOKEN_LIFETIME_TOO_LONG;
                    default -> ErrorCode.TOKEN_INVALID;
                }, e.getMessage());
            }
        }
        return admitted(resolved, policies.siteMap().resolve(address).name(), address, token, hello.caps());
    }

    /**
     * Re-checks an admitted viewer against the current policies at {@code now}. A viewer admitted
     * without a token is refused when its stream now requires one; a token it presented stays
     * valid (its expiry is checked at admission only) as long as the secret that signed it is
     * still accepted: the current secret, or the previous one during a rotation's grace.
     */
    Decision recheck(ViewerSession.Membership m, String origin, InetAddress address, Instant now) {
        PolicyService.ResolvedStream resolved = policies.resolve(m.streamRef());
        StreamPolicy next = resolved.policy();
        if (!originAllowed(next, origin)) {
            return new Refused(ErrorCode.ORIGIN_NOT_ALLOWED, "the stream policy no longer allows pages from "
                    + SignalingCodec.truncate(origin));
        }
        if (next.requiresToken()) {
            if (m.token() == null) {
                return new Refused(ErrorCode.TOKEN_REQUIRED, "the stream policy now requires a viewer token");
            }
            if (!next.id().equals(m.policy().id()) || !signedByAcceptedSecret(next, m.token(), now)) {
                return new Refused(ErrorCode.TOKEN_INVALID, "the stream's viewer token secret was replaced;"
                        + " this viewer's token no longer verifies");
            }
        }
        return admitted(resolved, m.site(), address, m.token(), m.caps());
    }

    private static boolean signedByAcceptedSecret(StreamPolicy policy, ViewerTokens.Verified token, Instant now) {
        for (String secret : policy.tokens().acceptedSecrets(now)) {
            if (ViewerTokens.fingerprint(secret).equals(token.secretPrint())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Pages from the policy's origins; with none listed, the appliance's own pages and the
     * intranet origins; with {@code *}, any page. A connection without {@code Origin} is not a
     * browser page (browsers always send it on WebSocket handshakes) and is admitted: outside a
     * browser any Origin can be forged, so the viewer token is the control for such clients
     * (docs/security.md, "Page origins").
     */
    private boolean originAllowed(StreamPolicy policy, String origin) {
        if (origin == null || policy.allowsAnyOrigin()) {
            return true;
        }
        if (policy.usesDefaultOrigins()) {
            return pageOrigins.admits(origin);
        }
        return policy.allowedOrigins().contains(origin.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether a policy change alters how the coordinator must place {@code m}. Upload rules count
     * only when they change whether this viewer uploads: turning cellular upload on re-places the
     * cellular viewers, not every wired one.
     */
    boolean rulesChanged(ViewerSession.Membership m, Admitted next) {
        return !next.streamId().equals(m.streamId()) || next.inMesh() != m.inMesh()
                || next.effective().upload().allowed() != m.effective().upload().allowed()
                || !placement(policies.rules(next.policy())).equals(placement(policies.rules(m.policy())));
    }

    /** The rules with the upload-by-network rules set aside (the viewer's own decision covers them). */
    private static SwarmRules placement(SwarmRules rules) {
        return rules.withUploadOnCellular(false).withUploadOnWifi(true);
    }

    private Admitted admitted(PolicyService.ResolvedStream resolved, String site, InetAddress address,
                              ViewerTokens.Verified token, ClientMessage.Capabilities caps) {
        StreamPolicy policy = resolved.policy();
        boolean trusted = policy.securityLevel() != SecurityLevel.INTERMEDIATE || trustedNetworks.contains(address);
        P2pMode mode = trusted ? policy.modeFor(site) : P2pMode.OFF;
        UploadRules upload = policy.upload();
        boolean uploads = policies.rules(policy).uploads(mode, caps.offersUpload(), caps.network());
        ServerMessage.Policy effective = new ServerMessage.Policy(mode.wire(), policy.maxNeighbours(),
                upload.onCellular(), upload.onWifi(),
                new ServerMessage.Upload(uploads, upload.maxUploads(), upload.maxUploadKbps()), policy.viewerParams());
        return new Admitted(resolved.streamId(), policy, site, trusted, effective, mode != P2pMode.OFF, token);
    }
}
