package io.swarmgate.pki;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names a server certificate or CSR is issued for: the administrator's extra names first (the
 * first one becomes the CN), then the machine's own names, {@code localhost} and the loopback
 * addresses, deduplicated. IP literals are recognised by a strict textual parser so that a name is
 * never resolved just to decide what it is.
 */
public final class SubjectNames {

    private static final Logger LOG = LoggerFactory.getLogger(SubjectNames.class);

    // RFC 1123 labels; a leading "*." is allowed because enterprise CAs do issue wildcard names.
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");
    private static final Pattern STRICT_IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    // All-numeric dotted names such as "1.2.3" or "010.1.1.1" are mistyped addresses, not host names.
    private static final Pattern NUMERIC_ONLY = Pattern.compile("[0-9.]+");
    private static final List<String> ALWAYS = List.of("localhost", "127.0.0.1", "::1");

    private final List<GeneralName> names;

    private SubjectNames(List<GeneralName> names) {
        this.names = List.copyOf(names);
    }

    /**
     * Builds the list from explicit inputs.
     *
     * @throws IllegalArgumentException if an extra name is neither a DNS name nor an IP literal;
     *                                  invalid machine names are skipped with a warning instead,
     *                                  because the administrator cannot fix them from the CLI
     */
    static SubjectNames of(List<String> extraHostnames, List<String> machineNames) {
        Map<String, GeneralName> unique = new LinkedHashMap<>();
        for (String name : extraHostnames) {
            GeneralName general = parse(name);
            if (general == null) {
                throw new IllegalArgumentException("'" + name + "' is neither a DNS host name nor an IP address");
            }
            unique.putIfAbsent(key(general), general);
        }
        for (String name : machineNames) {
            GeneralName general = parse(name);
            if (general == null) {
                LOG.warn("pki - skipping machine host name '{}': not a valid DNS name", name);
                continue;
            }
            unique.putIfAbsent(key(general), general);
        }
        for (String name : ALWAYS) {
            GeneralName general = parse(name);
            unique.putIfAbsent(key(general), general);
        }
        return new SubjectNames(new ArrayList<>(unique.values()));
    }

    /** The value for the subject CN: the first name, DNS or IP. */
    String commonName() {
        GeneralName first = names.get(0);
        if (first.getTagNo() == GeneralName.dNSName) {
            return first.getName().toString();
        }
        return ipText(first);
    }

    GeneralNames generalNames() {
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    List<GeneralName> names() {
        return names;
    }

    /** Whether {@code text} is an IPv4 dotted quad or an IPv6 literal, decided without any lookup. */
    static boolean isIpLiteral(String text) {
        // BouncyCastle's IPv4 check tolerates leading zeros, which some resolvers read as octal.
        return STRICT_IPV4.matcher(text).matches() || (text.indexOf(':') >= 0 && IPAddress.isValidIPv6(text));
    }

    /** A DNS or IP GeneralName, or {@code null} when the text is neither. */
    static GeneralName parse(String raw) {
        String text = raw == null ? "" : raw.strip();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        if (isIpLiteral(text)) {
            return new GeneralName(GeneralName.iPAddress, text);
        }
        String dns = text.toLowerCase(Locale.ROOT);
        if (dns.length() > 253 || !DNS_NAME.matcher(dns).matches() || NUMERIC_ONLY.matcher(dns).matches()) {
            return null;
        }
        return new GeneralName(GeneralName.dNSName, dns.endsWith(".") ? dns.substring(0, dns.length() - 1) : dns);
    }

    private static String key(GeneralName name) {
        return name.getTagNo() == GeneralName.iPAddress ? "ip:" + ipText(name) : "dns:" + name.getName();
    }

    static String ipText(GeneralName ip) {
        byte[] bytes = org.bouncycastle.asn1.ASN1OctetString.getInstance(ip.getName()).getOctets();
        try {
            // getByAddress never resolves; it only formats the bytes.
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("IP SAN of length " + bytes.length, e);
        }
    }

    /**
     * The machine's host name, read without any name lookup: the kernel's name
     * ({@code /proc/sys/kernel/hostname}), else {@code /etc/hostname}, else {@code $HOSTNAME};
     * empty when none is set. InetAddress's local-host and canonical-name methods are
     * deliberately not used: they ask DNS (a reverse lookup for the canonical name), which can hang certificate creation on an appliance without DNS
     * for itself and tells the network's resolver what is being set up. Names the certificate
     * needs beyond this one go in {@code server.hostnames}.
     */
    public static List<String> machineHostnames() {
        return machineHostnames(List.of(Path.of("/proc/sys/kernel/hostname"), Path.of("/etc/hostname")),
                System.getenv("HOSTNAME"));
    }

    /** The first non-blank of the files' first lines, else {@code environment}; empty when none. */
    static List<String> machineHostnames(List<Path> files, String environment) {
        for (Path file : files) {
            try {
                String name = Files.readString(file, StandardCharsets.US_ASCII).strip().lines().findFirst().orElse("");
                if (!name.isEmpty()) {
                    return List.of(name);
                }
            } catch (IOException | RuntimeException e) {
                // not every system has the file; try the next source
            }
        }
        if (environment != null && !environment.isBlank()) {
            return List.of(environment.strip());
        }
        LOG.warn("pki - no machine host name found; the certificate names only server.hostnames and localhost");
        return List.of();
    }

    /** The single name to show in the CA subject, from {@link #machineHostnames()}. */
    static String machineHostname(List<String> machineNames) {
        return machineNames.isEmpty() ? "localhost" : machineNames.get(0);
    }
}
