package io.swarmgate.control;

import io.swarmgate.pki.Pki;
import java.util.List;

/**
 * The appliance's TLS certificate as administration commands see it: the PKI, the host names a
 * CSR asks for, and what makes a running server serve a newly imported chain (nothing in a CLI
 * process working on a stopped appliance, which reads the chain when it starts).
 */
public record Certificates(Pki pki, List<String> hostnames, Runnable reload) {

    public Certificates {
        hostnames = List.copyOf(hostnames);
    }
}
