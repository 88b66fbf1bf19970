package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.swarmgate.mesh.IpLiteral;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Which viewers the coordinator matches on their own link only (ViewerSession.Membership#linkOf). */
class MembershipLinkTest {

    private static final InetAddress FLOOR_2 = IpLiteral.toInetAddress("10.20.2.17");

    @Test
    void anMdnsViewerWithoutStunIsKeptOnItsOwnLink() {
        assertEquals("10.20.2.0/24", ViewerSession.Membership.linkOf("floors", true, false, FLOOR_2));
    }

    @Test
    void anMdnsViewerOfferedStunIsMatchedWithItsWholeSite() {
        assertNull(ViewerSession.Membership.linkOf("floors", true, true, FLOOR_2));
    }

    @Test
    void aViewerThatExposesAddressesOrSitsInAnAutomaticSiteNeedsNoLink() {
        assertNull(ViewerSession.Membership.linkOf("floors", false, false, FLOOR_2));
        assertNull(ViewerSession.Membership.linkOf("auto:10.20.2.0/24", true, false, FLOOR_2));
    }
}
