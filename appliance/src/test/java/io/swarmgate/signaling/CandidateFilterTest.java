package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.mesh.NetworkSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every spelling a browser's SDP parser accepts as a candidate is judged by the one rule. */
class CandidateFilterTest {

    private final CandidateFilter filter = new CandidateFilter(NetworkSet.of(List.of("10.0.0.0/8", "fc00::/7")));

    @Test
    void lanHostCandidatesAndMdnsNamesPass() {
        assertNull(filter.rejection("candidate:1 1 udp 2122260223 10.20.1.17 51734 typ host"));
        assertNull(filter.rejection("a=candidate:1 1 udp 2122260223 10.20.1.17 51734 typ host generation 0"));
        assertNull(filter.rejection("candidate:1 1 udp 1 4b0c7b5e-1f7e-4bde-9d8c-3f1e2a6b7c8d.local 5000 typ host"));
        assertNull(filter.rejection("candidate:1 1 UDP 1 FD00::1 5000 TYP HOST"));
        assertNull(filter.rejection(""), "end-of-candidates marker");
    }

    /** What the appliance's STUN responder gives a LAN desktop: its own address, reflexive. */
    @ParameterizedTest
    @ValueSource(strings = {
        "candidate:1989505254 1 udp 1677729535 10.99.3.2 55284 typ srflx raddr 0.0.0.0 rport 0 generation 0",
        "candidate:1 1 udp 1 10.0.0.2 5000 TYP SRFLX raddr 10.0.0.2 rport 5000",
        "Candidate:1 1 udp 1 10.0.0.2 5000 typ srflx",
        "a=CANDIDATE:1 1 udp 1 10.0.0.2 5000 typ srflx raddr 0.0.0.0 rport 0",
        "candidate:1 1 udp 1 fd00::7 5000 typ srflx raddr :: rport 0",
    })
    void lanServerReflexiveCandidatesPass(String candidate) {
        assertNull(filter.rejection(candidate), candidate);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "candidate:1 1 udp 1 203.0.113.9 5000 typ srflx raddr 10.0.0.2 rport 5000",
        "candidate:1 1 udp 1 203.0.113.9 5000 TYP SRFLX",
        "candidate:1 1 udp 1 4b0c7b5e-1f7e-4bde-9d8c-3f1e2a6b7c8d.local 5000 typ srflx",
        "candidate:1 1 udp 1 2001:db8::1 5000 typ srflx",
        "candidate:1 1 udp 1 10.0.0.2 5000 typ prflx",
        "CANDIDATE:1 1 udp 1 203.0.113.9 5000 typ host",
        "A=candidate:1 1 udp 1 203.0.113.9 5000 typ host",
        "a=Candidate:1 1 udp 1 203.0.113.9 5000 typ host",
        "candidate:1\t1\tudp\t1\t203.0.113.9\t5000\ttyp\thost",
        "candidate:1  1  udp  1  203.0.113.9  5000  typ  host",
        "candidate:1 1 udp 1 203.0.113.9 5000 TYP HOST",
        "candidate:1 1 udp 1 10.0.0.2 5000 typ relay",
        "candidate:1 1 udp 1 evil.example.com 5000 typ host",
        "candidate:1 1 udp 1 10.0.0.2",
    })
    void offLanTrickledCandidatesInLenientSpellingsAreRejected(String candidate) {
        assertNotNull(filter.rejection(candidate), candidate);
    }

    /** Lines a lenient parser reads as candidates that the filter used to pass through unchecked. */
    @ParameterizedTest
    @ValueSource(strings = {
        "A=candidate:1 1 udp 1 203.0.113.9 5000 typ host",
        "a=Candidate:1 1 udp 1 203.0.113.9 5000 typ host",
        "a=CANDIDATE:1 1 udp 1 203.0.113.9 5000 typ srflx raddr 0.0.0.0 rport 0",
        " a=candidate:1 1 udp 1 203.0.113.9 5000 typ host",
        "a = candidate:1 1 udp 1 203.0.113.9 5000 typ host",
    })
    void candidateLinesInAnyCaseOrSpacingAreFiltered(String line) {
        assertRemoved(line);
    }

    /** Off-LAN lines in lenient spellings that the filter must keep removing. */
    @ParameterizedTest
    @ValueSource(strings = {
        "a=candidate:1\t1\tudp\t1\t203.0.113.9\t5000\ttyp\thost",
        "a=candidate:1   1 udp 1 203.0.113.9   5000 typ host",
        "a=candidate:1 1 udp 1 203.0.113.9 5000 TYP SRFLX",
        "a=candidate:1 1 udp 1 10.0.0.2 5000 typ RELAY",
        "a=candidate:garbage",
    })
    void offLanLinesInLenientSpellingsStayRemoved(String line) {
        assertRemoved(line);
    }

    private void assertRemoved(String line) {
        String sdp = "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" + line + "\r\n"
                + "a=candidate:2 1 udp 1 10.0.0.3 5001 typ host\r\na=end-of-candidates\r\n";
        String out = filter.filterSdp(sdp);
        assertFalse(out.contains(line), out);
        assertEquals("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "a=candidate:2 1 udp 1 10.0.0.3 5001 typ host\r\na=end-of-candidates\r\n", out);
    }

    @Test
    void aCandidateHiddenBehindABareCarriageReturnRemovesTheLine() {
        String sdp = "v=0\r\na=mid:0\ra=candidate:1 1 udp 1 203.0.113.9 5000 typ host\r\na=mid:1\r\n";
        String out = filter.filterSdp(sdp);
        assertFalse(out.contains("203.0.113.9"), out);
        assertTrue(out.contains("a=mid:1\r\n"));
    }

    @Test
    void lanCandidateLinesInAnySpellingAreKept() {
        String sdp = "v=0\nA=Candidate:1 1 UDP 1 10.0.0.2 5000 TYP HOST\na=candidate:2\t1\tudp\t1\t10.0.0.3\t5001\ttyp\thost\n";
        assertEquals(sdp, filter.filterSdp(sdp));
    }
}
