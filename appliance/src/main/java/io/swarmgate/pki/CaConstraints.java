package io.swarmgate.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;

/**
 * The name constraints of the appliance CA (RFC 5280, 4.2.1.10): the CA may only vouch for the
 * appliance's own DNS names and addresses, so its key, if stolen, cannot impersonate other
 * intranet sites in browsers that trust {@code ca.crt}.
 *
 * <p>Permitted are exactly the DNS names the first server certificate carries (a dNSName
 * constraint also covers the name's subdomains; {@code *.x.example} is permitted as
 * {@code x.example}) and its IP addresses as single hosts, plus {@code localhost}, 127.0.0.0/8 and
 * ::1. Other name forms (e-mail, URI, directory names) play no part in TLS server authentication
 * and are left unconstrained.
 */
final class CaConstraints {

    private static final List<String> LOOPBACK_NETWORKS = List.of("127.0.0.0/8", "::1/128");

    private final NameConstraints constraints;

    private CaConstraints(NameConstraints constraints) {
        this.constraints = constraints;
    }

    /** The constraints for a new CA whose first server certificate carries {@code names}. */
    static CaConstraints forServer(SubjectNames names) {
        Map<String, GeneralSubtree> permitted = new LinkedHashMap<>();
        for (GeneralName name : names.names()) {
            if (name.getTagNo() == GeneralName.dNSName) {
                String dns = name.getName().toString();
                String base = dns.startsWith("*.") ? dns.substring(2) : dns;
                add(permitted, new GeneralName(GeneralName.dNSName, base));
            } else if (name.getTagNo() == GeneralName.iPAddress) {
                byte[] address = ASN1OctetString.getInstance(name.getName()).getOctets();
                add(permitted, new GeneralName(GeneralName.iPAddress,
                        SubjectNames.ipText(name) + "/" + (address.length * 8)));
            }
        }
        add(permitted, new GeneralName(GeneralName.dNSName, "localhost"));
        for (String network : LOOPBACK_NETWORKS) {
            add(permitted, new GeneralName(GeneralName.iPAddress, network));
        }
        return new CaConstraints(new NameConstraints(permitted.values().toArray(GeneralSubtree[]::new), null));
    }

    /** Deduplicated by encoding, so {@code ::1} and {@code 0:0:0:0:0:0:0:1} are one subtree. */
    private static void add(Map<String, GeneralSubtree> permitted, GeneralName base) {
        try {
            permitted.putIfAbsent(java.util.HexFormat.of().formatHex(base.getEncoded()), new GeneralSubtree(base));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot encode " + base, e);
        }
    }

    /**
     * The constraints in {@code ca}, or {@code null} when it has none (a CA created before the
     * appliance added them).
     */
    static CaConstraints of(X509Certificate ca) {
        byte[] value = ca.getExtensionValue(Extension.nameConstraints.getId());
        if (value == null) {
            return null;
        }
        return new CaConstraints(NameConstraints.getInstance(ASN1OctetString.getInstance(value).getOctets()));
    }

    NameConstraints extension() {
        return constraints;
    }

    /** Whether a certificate for {@code name} under this CA would pass path validation. */
    boolean permits(GeneralName name) {
        PKIXNameConstraintValidator validator = new PKIXNameConstraintValidator();
        if (constraints.getPermittedSubtrees() != null) {
            validator.intersectPermittedSubtree(constraints.getPermittedSubtrees());
        }
        if (constraints.getExcludedSubtrees() != null) {
            for (GeneralSubtree excluded : constraints.getExcludedSubtrees()) {
                validator.addExcludedSubtree(excluded);
            }
        }
        try {
            validator.checkPermitted(name);
            validator.checkExcluded(name);
            return true;
        } catch (NameConstraintValidatorException e) {
            return false;
        }
    }

    /** The permitted subtrees as text ({@code corp.example}, {@code 10.0.0.5/32}), for messages. */
    List<String> permittedText() {
        List<String> out = new ArrayList<>();
        GeneralSubtree[] permitted = constraints.getPermittedSubtrees();
        if (permitted == null) {
            return out;
        }
        for (GeneralSubtree subtree : permitted) {
            GeneralName base = subtree.getBase();
            if (base.getTagNo() == GeneralName.iPAddress) {
                byte[] bytes = ASN1OctetString.getInstance(base.getName()).getOctets();
                out.add(cidrText(bytes));
            } else {
                out.add(base.getName().toString());
            }
        }
        return out;
    }

    private static String cidrText(byte[] addressAndMask) {
        int half = addressAndMask.length / 2;
        byte[] address = java.util.Arrays.copyOf(addressAndMask, half);
        int bits = 0;
        for (int i = half; i < addressAndMask.length; i++) {
            bits += Integer.bitCount(addressAndMask[i] & 0xff);
        }
        try {
            return java.net.InetAddress.getByAddress(address).getHostAddress() + "/" + bits;
        } catch (java.net.UnknownHostException e) {
            return "?/" + bits;
        }
    }
}
