package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.audit.Actor;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.mesh.SiteRange;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Viewers whose browsers hide host addresses behind mDNS names ({@code caps.mdns}) in a site made
 * of two routed subnets: without the appliance's STUN responder they are paired only on their own
 * link, where those names resolve, and each link gets leaders of its own; with it (they also
 * announce their real address as a server-reflexive candidate) and for viewers that expose
 * addresses they share across the whole site.
 */
class SignalingLinksIT extends SignalingTestBase {

    private static final String STREAM = "https://video.corp.example/live/links.m3u8";

    private void startWithATwoSubnetSite(boolean stun) throws Exception {
        start(Map.of(ConfigKey.STUN_ENABLED, String.valueOf(stun)));
        appliance.policies().addSite(new SiteRange("127.0.20.0/23", "floors", "Two floors"), Actor.cli("test"));
    }

    private static String hello(boolean mdns) {
        return "{\"type\":\"hello\",\"v\":1,\"stream\":\"" + STREAM + "\",\"sdk\":\"test\",\"caps\":{\"upload\":true,"
                + "\"network\":\"ethernet\",\"uploadKbps\":20000,\"mdns\":" + mdns + "}}";
    }

    @Test
    void withoutStunMdnsOnlyViewersArePairedOnTheirOwnLinkOnly() throws Exception {
        startWithATwoSubnetSite(false);
        TestViewer a1 = viewer("127.0.20.10");
        JsonNode ready = a1.await("ready");
        assertFalse(ready.path("stun").asBoolean(true), "no responder: the SDK must find out about mDNS first: " + ready);
        JsonNode welcome = a1.joinWith(hello(true));
        assertEquals("floors", welcome.path("site").asText(), "the site is the admin's, links are internal");
        TestViewer a2 = viewer("127.0.20.11");
        a2.joinWith(hello(true));
        TestViewer b1 = viewer("127.0.21.10");
        b1.joinWith(hello(true));
        TestViewer b2 = viewer("127.0.21.11");
        b2.joinWith(hello(true));
        awaitMeshIdle();
        assertEquals(Set.of(a2.peerId), a1.neighbours(Set.of()));
        assertEquals(Set.of(b2.peerId), b1.neighbours(Set.of()));
        JsonNode leadersOfB = b2.await("leaders");
        assertTrue(Set.of(b1.peerId, b2.peerId).containsAll(
                Set.of(leadersOfB.path("leaders").get(0).asText(), leadersOfB.path("leaders").get(1).asText())),
                "link B has its own leaders: " + leadersOfB);
        assertEquals(Map.of("floors", 4), appliance.signaling().viewersByStreamAndSite().values().iterator().next(),
                "counted as one site");
    }

    @Test
    void viewersThatExposeAddressesShareAcrossTheSite() throws Exception {
        startWithATwoSubnetSite(false);
        TestViewer a = viewer("127.0.20.10");
        a.joinWith(hello(false));
        TestViewer b = viewer("127.0.21.10");
        b.joinWith(hello(false));
        awaitMeshIdle();
        assertEquals(Set.of(b.peerId), a.neighbours(Set.of()));
    }

    @Test
    void withStunMdnsOnlyViewersShareAcrossTheSite() throws Exception {
        startWithATwoSubnetSite(true);
        TestViewer a = viewer("127.0.20.10");
        // Sent as the socket opens, before hello: the SDK need not probe for mDNS names then.
        JsonNode ready = a.await("ready");
        assertEquals(1, ready.path("v").asInt(), ready.toString());
        assertTrue(ready.path("stun").asBoolean(false), ready.toString());
        JsonNode welcome = a.joinWith(hello(true));
        assertEquals("stun:127.0.0.1:" + appliance.signaling().stun().port(), welcome.at("/policy/iceServers/0/urls").asText());
        TestViewer b = viewer("127.0.21.10");
        b.joinWith(hello(true));
        awaitMeshIdle();
        assertEquals(Set.of(b.peerId), a.neighbours(Set.of()), "the subnets are one swarm again");
    }
}
