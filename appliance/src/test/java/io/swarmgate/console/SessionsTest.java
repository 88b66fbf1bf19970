package io.swarmgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private final SettableClock clock = SettableClock.at(Instant.parse("2026-12-01T10:00:00Z"));
    private final Sessions sessions = new Sessions(Duration.ofMinutes(30), Duration.ofHours(12), clock);

    private static AdminAccount account(String name) {
        return new AdminAccount(name, Role.ADMIN, false, false, Instant.EPOCH, null);
    }

    @Test
    void expiredSessionsThatAreNeverUsedAgainArePrunedBySignIns() {
        for (int i = 0; i < 50; i++) {
            sessions.create(account("admin"));
        }
        clock.advance(Duration.ofMinutes(31));
        Sessions.Session fresh = sessions.create(account("admin"));
        assertEquals(1, sessions.size());
        assertTrue(sessions.find(fresh.id()).isPresent());
    }

    @Test
    void invalidateOthersKeepsOnlyTheGivenSessionOfThatUser() {
        Sessions.Session keep = sessions.create(account("admin"));
        Sessions.Session other = sessions.create(account("admin"));
        Sessions.Session someoneElse = sessions.create(account("olivia"));
        sessions.invalidateOthers("admin", keep);
        assertTrue(sessions.find(keep.id()).isPresent());
        assertTrue(sessions.find(other.id()).isEmpty());
        assertTrue(sessions.find(someoneElse.id()).isPresent());
    }
}
