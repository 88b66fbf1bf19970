package io.swarmgate.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Only a plain host name or IP literal from {@code Host} ever goes into a {@code stun:} URL. */
class StunHostTest {

    @ParameterizedTest
    @CsvSource({
        "swarmgate.corp.example:8443, swarmgate.corp.example",
        "SwarmGate.Corp.Example, swarmgate.corp.example",
        "10.99.252.1:8443, 10.99.252.1",
        "10.1.2.3, 10.1.2.3",
        "[fd00::1]:8443, [fd00::1]",
        "'[FD00:0:0::1]', '[fd00::1]'",
        "appliance., appliance.",
    })
    void theHostPartIsKeptAndThePortDropped(String header, String host) {
        assertEquals(host, StunHost.hostOf(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "user@host", "host/path", "host:port", "host:99999", "host:", "[fd00::1", "[fd00::1]x", "[10.1.2.3]",
        "[fe80::1%eth0]", "-host", "host-", "a..b", "host name", "host?x", "\"host\"", "[fd00::zz]:1", "h_st",
    })
    void anythingElseGivesNoUrl(String header) {
        assertNull(StunHost.hostOf(header), header);
    }

    @org.junit.jupiter.api.Test
    void aMissingHeaderGivesNoUrl() {
        assertNull(StunHost.hostOf(null));
    }
}
