package io.swarmgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigKeys;
import io.swarmgate.mesh.NetworkType;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.mesh.SwarmRules;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UploadRulesTest {

    private static StreamPolicy policy(UploadRules upload) {
        return StreamPolicy.validated("townhall", null, P2pMode.ON, Map.of(), 10, upload, List.of(),
                SecurityLevel.BASIC, List.of(), TokenSettings.NONE, Instant.EPOCH);
    }

    @Test
    void defaultsAreWhatTheSdkDidBeforeTheyWerePolicy() {
        UploadRules d = UploadRules.DEFAULT;
        assertFalse(d.onCellular());
        assertTrue(d.onWifi());
        assertEquals(4, d.maxUploads());
        assertEquals(20_000, d.maxUploadKbps());
    }

    @Test
    void theConfigurationKeysForTheDefaultPolicyHaveTheSameDefaultsAndBounds() {
        assertEquals(String.valueOf(UploadRules.DEFAULT_MAX_UPLOADS), ConfigKeys.MESH_MAX_UPLOADS.defaultValue());
        assertEquals(String.valueOf(UploadRules.DEFAULT_MAX_UPLOAD_KBPS), ConfigKeys.MESH_MAX_UPLOAD_KBPS.defaultValue());
        assertEquals("true", ConfigKeys.MESH_UPLOAD_ON_WIFI.defaultValue());
        assertEquals(1, ConfigKeys.MESH_MAX_UPLOADS.parse("1", "test"));
        assertEquals(UploadRules.MAX_UPLOADS_LIMIT, ConfigKeys.MESH_MAX_UPLOADS.parse("" + UploadRules.MAX_UPLOADS_LIMIT, "t"));
        assertThrows(ConfigException.class, () -> ConfigKeys.MESH_MAX_UPLOADS.parse("0", "test"));
        assertThrows(ConfigException.class,
                () -> ConfigKeys.MESH_MAX_UPLOADS.parse("" + (UploadRules.MAX_UPLOADS_LIMIT + 1), "test"));
        assertEquals(UploadRules.MIN_UPLOAD_KBPS, ConfigKeys.MESH_MAX_UPLOAD_KBPS.parse("" + UploadRules.MIN_UPLOAD_KBPS, "t"));
        assertThrows(ConfigException.class,
                () -> ConfigKeys.MESH_MAX_UPLOAD_KBPS.parse("" + (UploadRules.MIN_UPLOAD_KBPS - 1), "test"));
        assertEquals(UploadRules.MAX_UPLOAD_KBPS_LIMIT,
                ConfigKeys.MESH_MAX_UPLOAD_KBPS.parse("" + UploadRules.MAX_UPLOAD_KBPS_LIMIT, "t"));
        assertThrows(ConfigException.class,
                () -> ConfigKeys.MESH_MAX_UPLOAD_KBPS.parse("" + (UploadRules.MAX_UPLOAD_KBPS_LIMIT + 1), "test"));
    }

    @Test
    void capsOutsideTheirBoundsAreRefusedNamingTheField() {
        assertEquals("max-uploads", assertThrows(PolicyException.class,
                () -> policy(UploadRules.DEFAULT.withMaxUploads(0))).field());
        assertEquals("max-uploads", assertThrows(PolicyException.class,
                () -> policy(UploadRules.DEFAULT.withMaxUploads(UploadRules.MAX_UPLOADS_LIMIT + 1))).field());
        assertEquals("max-upload-kbps", assertThrows(PolicyException.class,
                () -> policy(UploadRules.DEFAULT.withMaxUploadKbps(UploadRules.MIN_UPLOAD_KBPS - 1))).field());
        assertEquals("max-upload-kbps", assertThrows(PolicyException.class,
                () -> policy(UploadRules.DEFAULT.withMaxUploadKbps(UploadRules.MAX_UPLOAD_KBPS_LIMIT + 1))).field());
        assertEquals(64, policy(UploadRules.DEFAULT.withMaxUploads(64)).upload().maxUploads());
    }

    @Test
    void theNetworkAViewerDeclaresDecidesOnlyAsThePolicySays() {
        SwarmRules defaults = SwarmRules.defaults();
        assertTrue(defaults.uploads(P2pMode.ON, true, NetworkType.ETHERNET));
        assertTrue(defaults.uploads(P2pMode.ON, true, NetworkType.WIFI));
        assertTrue(defaults.uploads(P2pMode.ON, true, NetworkType.UNKNOWN));
        assertFalse(defaults.uploads(P2pMode.ON, true, NetworkType.CELLULAR));
        assertTrue(defaults.withUploadOnCellular(true).uploads(P2pMode.ON, true, NetworkType.CELLULAR));
        assertFalse(defaults.withUploadOnWifi(false).uploads(P2pMode.ON, true, NetworkType.WIFI));
        assertTrue(defaults.withUploadOnWifi(false).uploads(P2pMode.ON, true, NetworkType.ETHERNET));
        assertFalse(defaults.uploads(P2pMode.ON, false, NetworkType.ETHERNET), "the page or Save-Data said no");
        assertFalse(defaults.uploads(P2pMode.DOWNLOAD_ONLY, true, NetworkType.ETHERNET));
    }
}
