package io.swarmgate.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;

/** Looks for appliances announcing {@code _swarmgate._tcp} on the LAN (the {@code discover} command). */
public final class Browser {

    /**
     * One appliance found.
     *
     * @param addresses the addresses it announced
     */
    public record Found(String name, List<String> addresses, int httpsPort, String version, String caSha256,
                        String path) {
    }

    private Browser() {
    }

    /**
     * Listens for {@code timeoutMs} on each address ({@link DiscoveryAddresses}: the given ones,
     * else every multicast interface) and returns what answered, one entry per instance name.
     */
    public static List<Found> find(List<String> interfaces, long timeoutMs) throws IOException {
        List<InetAddress> addresses = DiscoveryAddresses.select(interfaces, null);
        if (addresses.isEmpty()) {
            throw new IOException("no network interface to listen on; name one with --interface");
        }
        Map<String, Found> found = new LinkedHashMap<>();
        for (InetAddress address : addresses) {
            try (JmDNS jmdns = JmDNS.create(address, "swarmgate-discover")) {
                for (ServiceInfo info : jmdns.list(Announcer.SERVICE_TYPE, timeoutMs)) {
                    List<String> seen = new ArrayList<>(Arrays.stream(info.getInetAddresses())
                            .map(InetAddress::getHostAddress).toList());
                    found.putIfAbsent(info.getName(), new Found(info.getName(), seen,
                            parsePort(info.getPropertyString("https_port"), info.getPort()),
                            orEmpty(info.getPropertyString("version")), orEmpty(info.getPropertyString("ca_sha256")),
                            orEmpty(info.getPropertyString("path"))));
                }
            }
        }
        return List.copyOf(found.values());
    }

    private static int parsePort(String text, int fallback) {
        try {
            return text == null ? fallback : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
