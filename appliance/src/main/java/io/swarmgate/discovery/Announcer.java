package io.swarmgate.discovery;

import io.swarmgate.config.ApplianceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces the appliance on the LAN over mDNS/DNS-SD as {@code _swarmgate._tcp}, so a second
 * appliance or an administrator's laptop finds it with {@code swarmgate discover} and can check
 * that it is the right one by its CA fingerprint before trusting it. TXT: {@code version},
 * {@code https_port}, {@code ca_sha256} (SHA-256 of the appliance CA's DER), {@code path}
 * ({@code /console/}). Multicast stays on the link: it is not an outbound connection, and the
 * announcement carries nothing secret. One JmDNS instance per address.
 */
public final class Announcer implements AutoCloseable {

    /** The DNS-SD service type. */
    public static final String SERVICE_TYPE = "_swarmgate._tcp.local.";

    private static final Logger LOG = LoggerFactory.getLogger(Announcer.class);

    private final List<JmDNS> responders;

    private Announcer(List<JmDNS> responders) {
        this.responders = responders;
    }

    /**
     * Starts announcing, or returns an announcer that does nothing when discovery is off or no
     * address qualifies. A failure on one address is logged and the others still announce.
     *
     * @param instance  the service instance name (the machine's name)
     * @param caSha256  the CA fingerprint as {@code CertInfo} writes it
     */
    public static Announcer start(ApplianceConfig.Discovery settings, String bind, String instance, int httpsPort,
                                  String version, String caSha256) {
        if (!settings.enabled()) {
            return new Announcer(List.of());
        }
        List<InetAddress> addresses = DiscoveryAddresses.select(settings.interfaces(), bind);
        if (addresses.isEmpty()) {
            // Bound to loopback (tests, or behind a local proxy): nothing on the LAN could reach it anyway.
            LOG.debug("discovery - no address to announce on (bound to {}); set discovery.interfaces to announce", bind);
            return new Announcer(List.of());
        }
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put("version", version);
        txt.put("https_port", Integer.toString(httpsPort));
        txt.put("ca_sha256", caSha256);
        txt.put("path", "/console/");
        List<JmDNS> started = new ArrayList<>();
        for (InetAddress address : addresses) {
            try {
                JmDNS jmdns = JmDNS.create(address, instance);
                jmdns.registerService(ServiceInfo.create(SERVICE_TYPE, instance, httpsPort, 0, 0, txt));
                started.add(jmdns);
                LOG.info("discovery - announcing {} on {} as {}", SERVICE_TYPE, address.getHostAddress(), instance);
            } catch (IOException | RuntimeException e) {
                LOG.warn("discovery - cannot announce on {}: {}", address.getHostAddress(), e.toString());
            }
        }
        return new Announcer(started);
    }

    /** Whether anything is announced. */
    public boolean announcing() {
        return !responders.isEmpty();
    }

    /** Withdraws the announcement (a goodbye packet) and stops. */
    @Override
    public void close() {
        for (JmDNS jmdns : responders) {
            try {
                jmdns.unregisterAllServices();
                jmdns.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("discovery - closing the responder failed", e);
            }
        }
    }
}
