package io.swarmgate.policy;

import io.swarmgate.pki.SubjectNames;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page origins a stream admits when its policy names none (docs/security.md, "Page origins"):
 * the appliance's own pages — one of its names or addresses with the port of one of its
 * listeners — and the configured {@code security.intranet-origins}. Everything else is refused,
 * so a stream nobody configured is closed to pages elsewhere on the network.
 *
 * <p>The host must be a name the appliance was given or an address of one of its interfaces:
 * comparing the {@code Origin} with the request's own {@code Host} would let a DNS-rebinding page
 * (its name re-pointed at the appliance) pass as the appliance's own. Immutable after
 * construction except for the listeners, read through a supplier because ports chosen at bind
 * time (port 0) are known only once the server has started. Safe on any thread.
 */
public final class PageOrigins {

    private static final Logger LOG = LoggerFactory.getLogger(PageOrigins.class);

    private final Set<String> intranet;
    private final Set<String> ownHosts;
    private final Supplier<List<URI>> listeners;

    /**
     * @param hostnames  {@code server.hostnames}
     * @param intranet   {@code security.intranet-origins}, already validated
     * @param listeners  the appliance's listener URIs (scheme and bound port), empty before start
     */
    public PageOrigins(List<String> hostnames, List<String> intranet, Supplier<List<URI>> listeners) {
        Set<String> normalised = new LinkedHashSet<>();
        for (String o : intranet) {
            String n = normalise(o);
            if (n == null) {
                throw new IllegalArgumentException("'" + o + "' is not an origin like https://intranet.corp.example");
            }
            normalised.add(n);
        }
        this.intranet = Collections.unmodifiableSet(normalised);
        Set<String> hosts = new LinkedHashSet<>();
        hostnames.forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
        hosts.add("localhost");
        // The same names the server certificate carries, read without a DNS lookup.
        SubjectNames.machineHostnames().forEach(name -> hosts.add(name.toLowerCase(Locale.ROOT)));
        hosts.addAll(interfaceAddresses());
        this.ownHosts = Collections.unmodifiableSet(hosts);
        this.listeners = listeners;
    }

    /** The configured intranet origins, normalised. */
    public Set<String> intranet() {
        return intranet;
    }

    /** Whether a page of {@code origin} (an {@code Origin} header) may join a stream without an origin list. */
    public boolean admits(String origin) {
        String o = normalise(origin);
        return o != null && (intranet.contains(o) || isOwn(o));
    }

    /** Whether {@code origin} is one of the appliance's own: its name or address and a listener's scheme and port. */
    public boolean isOwn(String origin) {
        URI uri = URI.create(origin);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!ownHosts.contains(host)) {
            return false;
        }
        int port = port(uri);
        for (URI listener : listeners.get()) {
            if (listener.getScheme().equals(uri.getScheme()) && port(listener) == port) {
                return true;
            }
        }
        return false;
    }

    /**
     * An origin in the form browsers send it — lower-case scheme and host, no default port, no
     * path — or null when {@code text} is not an http(s) origin.
     */
    public static String normalise(String text) {
        if (text == null || text.length() > 300 || !text.matches("(?i)https?://[A-Za-z0-9.:\\[\\]-]+")) {
            return null;
        }
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || uri.getRawUserInfo() != null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean standard = port == -1 || port == ("https".equals(scheme) ? 443 : 80);
            if (port > 65535) {
                return null;
            }
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (standard ? "" : ":" + port);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    }

    /** Every address of every interface, as it appears in a URL host (IPv6 in brackets, no zone). */
    private static Set<String> interfaceAddresses() {
        Set<String> out = new LinkedHashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    String literal = a.getHostAddress();
                    int zone = literal.indexOf('%');
                    if (zone >= 0) {
                        literal = literal.substring(0, zone);
                    }
                    out.add(a instanceof java.net.Inet6Address ? "[" + compress(literal) + "]" : literal);
                }
            }
        } catch (SocketException e) {
            LOG.warn("origins - cannot list the network interfaces ({}); only configured names count as the"
                    + " appliance's own", e.getMessage());
        }
        return out;
    }

    /** {@code 0:0:0:0:0:0:0:1} → {@code ::1}, the way browsers serialise IPv6 hosts. */
    static String compress(String full) {
        String[] groups = full.split(":");
        StringBuilder sb = new StringBuilder();
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; i++) {
            groups[i] = groups[i].replaceFirst("^0+(?=.)", "").toLowerCase(Locale.ROOT);
        }
        for (int i = 0; i < groups.length; ) {
            if (!groups[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen && j - i > 1) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < groups.length; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(groups[i]);
            if (i < groups.length - 1) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
