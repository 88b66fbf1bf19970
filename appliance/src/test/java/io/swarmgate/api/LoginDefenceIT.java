package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Main;
import io.swarmgate.config.ConfigKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sign-in cannot be turned into an oracle or a permanent lockout: identical refusals, back-off
 * per name and per source counted atomically, password changes ending other sessions, and API
 * tokens that expire and follow their owner.
 */
@Timeout(120)
class LoginDefenceIT extends ApiTestBase {

    private static final String PASSWORD = "correct horse battery";
    private final List<HttpClient> boundClients = new ArrayList<>();

    @Override
    protected Map<String, String> overrides() {
        return Map.of(ConfigKey.SERVER_HTTP_PORT, "0", ConfigKey.AUTH_LOCKOUT_FAILURES, "5",
                ConfigKey.AUTH_LOCKOUT_MINUTES, "5");
    }

    @AfterEach
    void stopClients() throws Exception {
        for (HttpClient c : boundClients) {
            c.stop();
        }
    }

    /** Signs in over plain HTTP from {@code source} (a loopback address), which the back-off counts separately. */
    private ContentResponse loginFrom(String source, String user, String password) throws Exception {
        HttpClient c = new HttpClient();
        c.setBindAddress(new InetSocketAddress(source, 0));
        c.start();
        // The API's 401 carries no WWW-Authenticate challenge (no HTTP authentication scheme applies).
        c.getProtocolHandlers().clear();
        boundClients.add(c);
        return c.POST(appliance.httpUri().resolve("/api/v1/session"))
                .body(new StringRequestContent("application/json",
                        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .timeout(30, TimeUnit.SECONDS).send();
    }

    /** An administrator {@code name} with {@code role} who has chosen {@link #PASSWORD}-like own password. */
    private Client createAdmin(Client admin, String name, String role) throws Exception {
        HttpResponse<String> created = admin.send("POST", "/admins",
                "{\"username\":\"" + name + "\",\"role\":\"" + role + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        String otp = json(created).get("oneTimePassword").asText();
        Client c = new Client();
        assertEquals(200, c.login(name, otp).statusCode());
        assertEquals(200, c.send("POST", "/session/password",
                "{\"currentPassword\":\"" + otp + "\",\"newPassword\":\"" + PASSWORD + " 2\"}").statusCode());
        return c;
    }

    @Test
    void unknownUserDisabledAccountThrottledAccountAndWrongPasswordGetTheSameAnswer() throws Exception {
        Client admin = admin();
        createAdmin(admin, "olivia", "operator");
        assertEquals(200, admin.send("PUT", "/admins/olivia", "{\"disabled\":true}").statusCode());

        Client c = new Client();
        HttpResponse<String> wrong = c.login("admin", "not the password");
        HttpResponse<String> unknown = c.login("nobody", "not the password");
        HttpResponse<String> disabled = c.login("olivia", PASSWORD + " 2");
        for (int i = 0; i < 5; i++) {
            c.login("admin", "another wrong one " + i);
        }
        HttpResponse<String> throttled = c.login("admin", PASSWORD);

        for (HttpResponse<String> r : List.of(wrong, unknown, disabled, throttled)) {
            assertEquals(401, r.statusCode(), r.body());
            assertEquals(json(wrong), json(r), "one body for every refusal");
            assertEquals("invalid_credentials", code(r));
        }
        assertFalse(wrong.headers().firstValue("Retry-After").isPresent());
        assertFalse(unknown.headers().firstValue("Retry-After").isPresent());
        assertFalse(disabled.headers().firstValue("Retry-After").isPresent());
        assertTrue(throttled.headers().firstValue("Retry-After").isPresent(), "only the back-off says when to retry");
    }

    @Test
    void parallelWrongGuessesOnOneAccountAreEachCountedAndCannotExceedTheBudget() throws Exception {
        Client admin = admin();
        Client attacker = new Client();
        List<CompletableFuture<HttpResponse<String>>> guesses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = "{\"username\":\"admin\",\"password\":\"guess " + i + "\"}";
            guesses.add(attacker.http.sendAsync(java.net.http.HttpRequest.newBuilder(
                            appliance.httpsUri().resolve("/api/v1/session"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int evaluated = 0;
        for (CompletableFuture<HttpResponse<String>> g : guesses) {
            HttpResponse<String> r = g.get(60, TimeUnit.SECONDS);
            assertTrue(r.statusCode() == 401 || r.statusCode() == 429, r.body());
            if (r.statusCode() == 401 && r.headers().firstValue("Retry-After").isEmpty()) {
                evaluated++;
            }
        }
        // Guesses refused by the hashing bound were not counted; keep guessing one at a time
        // until the back-off answers. Every evaluated guess counts, so that happens after exactly 5.
        while (true) {
            HttpResponse<String> r = attacker.login("admin", "one more guess");
            if (r.statusCode() == 429) {
                continue;
            }
            if (r.headers().firstValue("Retry-After").isPresent()) {
                break;
            }
            evaluated++;
            assertTrue(evaluated <= 5, "more guesses evaluated than the 5 free failures");
        }
        assertEquals(5, evaluated, "the back-off started after exactly 5 evaluated guesses");
        JsonNode row = json(admin.get("/admins")).get(0);
        assertTrue(row.get("locked").asBoolean(), row.toString());
    }

    @Test
    void theCorrectPasswordFromAnotherAddressGetsInOnceTheAccountsDelayHasPassed() throws Exception {
        admin();
        // The attacker guesses as fast as the back-off lets it, until 7 guesses have been evaluated.
        for (int failures = 0; failures < 7; ) {
            ContentResponse r = loginFrom("127.0.40.1", "admin", "guess " + failures);
            assertEquals(401, r.getStatus());
            String retryAfter = r.getHeaders().get("Retry-After");
            if (retryAfter == null) {
                failures++;
            } else {
                clock.advance(Duration.ofSeconds(Long.parseLong(retryAfter)));
            }
        }
        // After the 7th failure in a row: the name waits 4 s, the attacking address 8 s.
        ContentResponse early = loginFrom("127.0.40.2", "admin", PASSWORD);
        assertEquals(401, early.getStatus());
        assertEquals("4", early.getHeaders().get("Retry-After"));

        clock.advance(Duration.ofSeconds(4));
        assertEquals(401, loginFrom("127.0.40.1", "admin", PASSWORD).getStatus(),
                "the attacking address is still waiting, even with the right password");
        assertEquals(200, loginFrom("127.0.40.2", "admin", PASSWORD).getStatus());
    }

    @Test
    void theBackOffDoublesPerFailureAndStopsAtItsCap() throws Exception {
        admin();
        int[] expected = {1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300};
        for (int i = 0; i < 4; i++) {
            loginFrom("127.0.41.1", "admin", "guess " + i);
        }
        for (int i = 0; i < expected.length; i++) {
            // A fresh address each time, so only the name's back-off answers.
            assertEquals(401, loginFrom("127.0.42." + (i + 1), "admin", "guess").getStatus());
            ContentResponse r = loginFrom("127.0.43." + (i + 1), "admin", PASSWORD);
            assertEquals(Integer.toString(expected[i]), r.getHeaders().get("Retry-After"), "after failure " + (i + 5));
            clock.advance(Duration.ofSeconds(expected[i]));
        }
        assertEquals(200, loginFrom("127.0.44.1", "admin", PASSWORD).getStatus());
    }

    @Test
    void changingThePasswordEndsTheAccountsOtherSessionsButNotThisOne() throws Exception {
        Client first = admin();
        Client second = new Client();
        assertEquals(200, second.login("admin", PASSWORD).statusCode());
        assertEquals(200, first.get("/session").statusCode());

        assertEquals(200, second.send("POST", "/session/password",
                "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"an even better secret\"}").statusCode());
        assertEquals(401, first.get("/session").statusCode(), "the other session ended");
        assertEquals(200, second.get("/session").statusCode(), "the changing session stays");
    }

    @Test
    void tokensExpireAfterTheirLifetimeAndListExpiryAndOwner() throws Exception {
        Client admin = admin();
        HttpResponse<String> tooLong = admin.send("POST", "/tokens",
                "{\"name\":\"forever\",\"role\":\"auditor\",\"expiresInDays\":366}");
        assertEquals(400, tooLong.statusCode());
        assertEquals("expiresInDays", json(tooLong).at("/error/field").asText());

        HttpResponse<String> shortLived = admin.send("POST", "/tokens",
                "{\"name\":\"short\",\"role\":\"auditor\",\"expiresInDays\":2}");
        assertEquals(201, shortLived.statusCode(), shortLived.body());
        Client robot = tokenClient(admin, "auditor");

        JsonNode standard = null;
        for (JsonNode t : json(admin.get("/tokens"))) {
            standard = "auditor automation".equals(t.get("name").asText()) ? t : standard;
        }
        assertEquals("admin", standard.get("createdBy").asText());
        assertEquals(Instant.parse(standard.get("createdAt").asText()).plus(Duration.ofDays(90)),
                Instant.parse(standard.get("expiresAt").asText()), "90 days by default");

        Client shortClient = new Client();
        shortClient.bearer = json(shortLived).get("token").asText();
        assertEquals(200, shortClient.get("/streams").statusCode());
        clock.advance(Duration.ofDays(2));
        assertEquals("token_invalid", code(shortClient.get("/streams")));
        assertEquals(200, robot.get("/streams").statusCode());
        clock.advance(Duration.ofDays(88));
        assertEquals("token_invalid", code(robot.get("/streams")));
    }

    @Test
    void aTokenStopsWhenItsOwnerLosesTheRoleItNeedsOrIsDisabled() throws Exception {
        Client admin = admin();
        Client olivia = createAdmin(admin, "olivia", "admin");
        Client adminToken = tokenClient(olivia, "admin");
        Client operatorToken = tokenClient(olivia, "operator");
        assertEquals(200, adminToken.get("/admins").statusCode());
        assertEquals("olivia", json(admin.get("/tokens")).get(0).get("createdBy").asText());

        assertEquals(200, admin.send("PUT", "/admins/olivia", "{\"role\":\"operator\"}").statusCode());
        assertEquals("token_invalid", code(adminToken.get("/streams")), "olivia no longer holds the admin role");
        assertEquals(200, operatorToken.get("/streams").statusCode(), "she still holds the operator role");

        assertEquals(200, admin.send("PUT", "/admins/olivia", "{\"disabled\":true}").statusCode());
        assertEquals("token_invalid", code(operatorToken.get("/streams")));
    }

    @Test
    void aTokenMadeWithATokenBelongsToTheTokensOwner() throws Exception {
        Client admin = admin();
        Client robot = tokenClient(admin, "admin");
        HttpResponse<String> made = robot.send("POST", "/tokens", "{\"name\":\"child\",\"role\":\"auditor\"}");
        assertEquals(201, made.statusCode(), made.body());
        assertEquals("admin", json(made).get("createdBy").asText());
    }

    /** Runs {@code swarmgate ARGS --data-dir …}; with the appliance running, it is forwarded through the control socket. */
    private String cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", appliance.dataDir().root().toString()));
        var cli = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute(all.toArray(String[]::new)), err.toString());
        return out.toString();
    }

    private static String line(String listing, String username) {
        return listing.lines().filter(l -> l.startsWith(username + " ")).findFirst().orElseThrow(() ->
                new AssertionError(username + " missing from " + listing));
    }

    @Test
    void theForwardedCliShowsTheLiveBackOffAndItsPasswordResetEndsTheAccountsSessions() throws Exception {
        Client admin = admin();
        Client olivia = createAdmin(admin, "olivia", "operator");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, loginFrom("127.0.0.3", "olivia", "wrong guess " + i).getStatus());
        }
        Instant until = Instant.parse(json(admin.get("/admins")).findValues("signInDelayedUntil").stream()
                .filter(JsonNode::isTextual).findFirst().orElseThrow().asText());
        String listed = cli("admin", "list");
        assertTrue(line(listed, "olivia").contains("delayed until " + until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                listed);
        assertTrue(line(listed, "admin").contains("allowed"), listed);

        String reset = cli("admin", "passwd", "olivia");
        assertTrue(reset.contains("One-time password of olivia"), reset);
        assertEquals(401, olivia.get("/session").statusCode(), "olivia's session ended, as a reset in the console does");
        assertEquals(200, admin.get("/session").statusCode(), "other accounts' sessions stay");
        assertTrue(line(cli("admin", "list"), "olivia").contains("allowed"), "the reset ended the back-off");
    }
}
