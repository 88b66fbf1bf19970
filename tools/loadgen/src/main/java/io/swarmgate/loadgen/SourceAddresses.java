package io.swarmgate.loadgen;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which loopback source address each simulated viewer binds, so that the appliance groups the
 * viewers into {@code subnets} distinct /24 sites without any network but {@code lo} (Linux routes
 * all of 127.0.0.0/8 there, so every address below can be bound without configuration).
 *
 * <p>Mapping, for viewer {@code i} (0-based, in join order) and {@code M} subnets:
 * <ul>
 *   <li>subnet {@code j = i mod M}: viewers are dealt round-robin, so every subnet fills at the
 *       same pace and the first {@code M} viewers are each the first of their subnet;</li>
 *   <li>the /24 of subnet {@code j} is {@code 127.(j / 255).(1 + j mod 255)} — {@code 127.0.S}
 *       with {@code S = j + 1} for the first 255 subnets; the third octet never is 0, so
 *       {@code 127.0.0.x} (where the appliance itself listens) is never used;</li>
 *   <li>host {@code H = 1 + (i / M) mod 254}: each viewer of a subnet has its own address
 *       until the subnet holds more than 254 viewers; then addresses are shared, round-robin,
 *       rather than spilling into a further /24, so the appliance always sees exactly M sites.</li>
 * </ul>
 * At most {@link #MAX_VIEWERS_PER_ADDRESS} viewers share one address: the appliance caps
 * connections per client IP at 64 (docs/protocol.md, "Limits").
 */
public final class SourceAddresses {

    public static final int HOSTS_PER_SUBNET = 254;
    public static final int MAX_SUBNETS = 255 * 256;
    /** The appliance's per-IP connection cap; one more and it closes with 4002. */
    public static final int MAX_VIEWERS_PER_ADDRESS = 64;

    private final int subnets;

    public SourceAddresses(int subnets) {
        if (subnets < 1 || subnets > MAX_SUBNETS) {
            throw new IllegalArgumentException("subnets must be 1.." + MAX_SUBNETS + ", not " + subnets);
        }
        this.subnets = subnets;
    }

    /** The largest viewer count these subnets hold without exceeding the per-address cap. */
    public long capacity() {
        return (long) subnets * HOSTS_PER_SUBNET * MAX_VIEWERS_PER_ADDRESS;
    }

    /** How many viewers share the busiest address when {@code viewers} join. */
    public int viewersPerAddress(int viewers) {
        long perSubnet = (viewers + (long) subnets - 1) / subnets;
        return (int) ((perSubnet + HOSTS_PER_SUBNET - 1) / HOSTS_PER_SUBNET);
    }

    /** The subnet (0-based) viewer {@code index} belongs to. */
    public int subnetOf(int index) {
        return index % subnets;
    }

    /** The four octets of viewer {@code index}'s source address. */
    public int[] octets(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("viewer index must not be negative: " + index);
        }
        int subnet = subnetOf(index);
        int host = 1 + (index / subnets) % HOSTS_PER_SUBNET;
        return new int[] {127, subnet / 255, 1 + subnet % 255, host};
    }

    /** Viewer {@code index}'s source address. */
    public InetAddress addressOf(int index) {
        int[] o = octets(index);
        try {
            return InetAddress.getByAddress(new byte[] {(byte) o[0], (byte) o[1], (byte) o[2], (byte) o[3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always a valid IPv4 address", e);
        }
    }

    /** Dotted form, as it goes into the viewer's host ICE candidate. */
    public String dotted(int index) {
        int[] o = octets(index);
        return o[0] + "." + o[1] + "." + o[2] + "." + o[3];
    }
}
