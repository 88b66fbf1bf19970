package io.swarmgate.discovery;

import io.swarmgate.mesh.IpLiteral;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which local addresses mDNS runs on: the configured ones; else the address the appliance is bound
 * to; else, bound to every interface, the IPv4 address of every interface that is up, not
 * loopback and multicast-capable. Multicast DNS never leaves the link it is sent on, so this
 * decides which LANs see the appliance; loopback is used only when named explicitly.
 */
final class DiscoveryAddresses {

    private DiscoveryAddresses() {
    }

    static List<InetAddress> select(List<String> configured, String bind) {
        if (!configured.isEmpty()) {
            return configured.stream().map(IpLiteral::toInetAddress).toList();
        }
        if (bind != null && !bind.isBlank()) {
            InetAddress bound = IpLiteral.toInetAddress(bind);
            return bound.isAnyLocalAddress() ? allInterfaces() : bound.isLoopbackAddress() ? List.of() : List.of(bound);
        }
        return allInterfaces();
    }

    private static List<InetAddress> allInterfaces() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || !nic.supportsMulticast() || nic.isPointToPoint()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }
}
