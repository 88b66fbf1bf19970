package io.swarmgate.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.policy.UploadRules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MediaOriginsTest {

    private static StreamPolicy policy(String pattern) {
        return StreamPolicy.validated("townhall", pattern, P2pMode.ON, Map.of(), 6, UploadRules.DEFAULT, List.of(),
                SecurityLevel.BASIC, List.of(), TokenSettings.NONE, null);
    }

    private static SegmentUrl url(String u) {
        return SegmentUrl.parse(u).orElseThrow();
    }

    private final MediaOrigins origins = new MediaOrigins(List.of("https://cdn.corp.example"),
            u -> u.origin().equals("https://appliance.corp.example:8443") && u.path().startsWith("/demo/"));

    @Test
    void theOriginOfThePolicysPatternTheConfiguredOnesAndTheDemoAreAllowed() {
        StreamPolicy p = policy("https://video.corp.example/live/*");
        assertTrue(origins.allows(p, url("https://VIDEO.corp.example:443/live/seg-1.ts?token=a")));
        assertTrue(origins.allows(p, url("https://cdn.corp.example/any/seg.ts")));
        assertTrue(origins.allows(p, url("https://appliance.corp.example:8443/demo/live/seg-4.ts")));
        assertEquals(List.of("https://video.corp.example", "https://cdn.corp.example"), origins.effective(p));
    }

    @Test
    void aViewerCannotPointTheApplianceAnywhereElse() {
        StreamPolicy p = policy("https://video.corp.example/live/*");
        assertFalse(origins.allows(p, url("http://video.corp.example/live/seg-1.ts")), "another scheme is another origin");
        assertFalse(origins.allows(p, url("https://video.corp.example:8080/live/seg-1.ts")));
        assertFalse(origins.allows(p, url("http://169.254.169.254/latest/meta-data")));
        assertFalse(origins.allows(p, url("https://appliance.corp.example:8443/api/v1/admins")), "only the demo media");
        assertFalse(origins.allows(null, url("https://video.corp.example/live/seg-1.ts")), "no policy, no pattern");
    }

    @Test
    void aWildcardBeforeThePathNamesNoOrigin() {
        assertFalse(origins.allows(policy("https://*.corp.example/live/*"), url("https://evil.corp.example/live/x.ts")));
        assertEquals(List.of("https://cdn.corp.example"), origins.effective(policy("https://*.corp.example/live/*")));
    }

    @Test
    void segmentUrlsAreCheckedAndNormalised() {
        SegmentUrl u = url("HTTPS://Video.Corp.Example:443/a/b.ts?x=1#f");
        assertEquals("https://video.corp.example", u.origin());
        assertEquals("https://video.corp.example/a/b.ts?x=1", u.id(List.of("token")));
        assertEquals("https://video.corp.example/a/b.ts", u.id(List.of("X")), "per-viewer names ignore case");
        assertEquals("https://v.example/s.m4s?n=3&rep=hi#bytes=0-99",
                url("https://v.example/s.m4s?token=a&n=3&&sig=z&rep=hi").withRange(SegmentUrl.Range.parse("0-99")
                        .orElseThrow()).id(List.of("token", "sig")), "order kept, empty pairs and tokens dropped");
        assertTrue(SegmentUrl.Range.parse("9-3").isEmpty(), "last before first");
        assertTrue(SegmentUrl.Range.parse("01-3").isEmpty(), "canonical numbers only");
        assertTrue(SegmentUrl.Range.parse("-3").isEmpty());
        assertTrue(SegmentUrl.parse("https://user:pw@video.corp.example/a.ts").isEmpty(), "user info");
        assertTrue(SegmentUrl.parse("file:///etc/passwd").isEmpty());
        assertTrue(SegmentUrl.parse("/relative/seg.ts").isEmpty());
        assertTrue(SegmentUrl.parse("https://x/" + "a".repeat(SegmentUrl.MAX_LENGTH)).isEmpty());
    }
}
