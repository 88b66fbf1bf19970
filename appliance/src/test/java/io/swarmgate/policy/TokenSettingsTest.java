package io.swarmgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenSettingsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void replacingASecretKeepsThePreviousOneForTheGrace() {
        String a = ViewerTokens.newSecret();
        String b = ViewerTokens.newSecret();
        TokenSettings rotated = TokenSettings.NONE.withSecret(a, T0).withSecret(b, T0.plusSeconds(10));
        assertEquals(T0.plusSeconds(70), rotated.graceEnds());
        assertEquals(List.of(b, a), rotated.acceptedSecrets(T0.plusSeconds(69)));
        assertEquals(List.of(b), rotated.acceptedSecrets(T0.plusSeconds(70)));
    }

    @Test
    void theFirstSecretAndRemovingTokensStartNoRotation() {
        String a = ViewerTokens.newSecret();
        TokenSettings first = TokenSettings.NONE.withSecret(a, T0);
        assertNull(first.graceEnds());
        assertEquals(List.of(), first.withSecret(null, T0).acceptedSecrets(T0));
        assertEquals(first, first.withSecret(a, T0.plusSeconds(5)), "setting the same secret again is no rotation");
    }

    @Test
    void limitsAreValidatedNamingTheField() {
        assertEquals("token-max-lifetime", assertThrows(PolicyException.class,
                () -> TokenSettings.NONE.withLimits(Duration.ofSeconds(30), Duration.ZERO, 0).validate()).field());
        assertEquals("token-rotation-grace", assertThrows(PolicyException.class,
                () -> TokenSettings.NONE.withLimits(Duration.ofHours(1), Duration.ofHours(25), 0).validate()).field());
        assertEquals("max-viewers-per-token", assertThrows(PolicyException.class,
                () -> TokenSettings.NONE.withLimits(Duration.ofHours(1), Duration.ZERO, -1).validate()).field());
    }

    @Test
    void toStringNeverShowsSecrets() {
        String a = ViewerTokens.newSecret();
        String s = TokenSettings.NONE.withSecret(a, T0).toString();
        assertEquals(-1, s.indexOf(a), s);
    }
}
