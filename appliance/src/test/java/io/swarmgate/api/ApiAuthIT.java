package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.pki.TrustAnchors;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sign-in, one-time passwords, back-off, CSRF, sessions and API tokens over real HTTPS. */
@Timeout(120)
class ApiAuthIT extends ApiTestBase {

    @Override
    protected Map<String, String> overrides() {
        return Map.of("auth.lockout-failures", "5", "auth.lockout-minutes", "5", "auth.session-idle-minutes", "30");
    }

    @Test
    void firstAdminMustChangeTheOneTimePasswordBeforeAnythingElse() throws Exception {
        Client c = new Client();
        HttpResponse<String> login = c.login("admin", firstPassword);
        assertEquals(200, login.statusCode(), login.body());
        assertTrue(json(login).get("mustChangePassword").asBoolean());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        for (String attribute : new String[] {"Secure", "HttpOnly", "SameSite=Strict", "Path=/"}) {
            assertTrue(cookie.contains(attribute), cookie);
        }
        HttpResponse<String> blocked = c.get("/streams");
        assertEquals(403, blocked.statusCode());
        assertEquals("password_change_required", code(blocked));

        HttpResponse<String> weak = c.send("POST", "/session/password",
                "{\"currentPassword\":\"" + firstPassword + "\",\"newPassword\":\"short\"}");
        assertEquals(400, weak.statusCode());
        assertEquals("newPassword", json(weak).at("/error/field").asText());

        HttpResponse<String> changed = c.send("POST", "/session/password",
                "{\"currentPassword\":\"" + firstPassword + "\",\"newPassword\":\"correct horse battery\"}");
        assertEquals(200, changed.statusCode(), changed.body());
        assertFalse(Files.exists(appliance.dataDir().initialPasswordFile()), "the one-time password file is gone");
        assertEquals(200, c.get("/streams").statusCode());
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() throws Exception {
        Client c = new Client();
        HttpResponse<String> wrong = c.login("admin", "not the password");
        HttpResponse<String> unknown = c.login("nobody", "not the password");
        assertEquals(401, wrong.statusCode());
        assertEquals(401, unknown.statusCode());
        assertEquals(json(wrong).get("error"), json(unknown).get("error"));
    }

    @Test
    void afterFiveFailuresSignInsWaitUntilTheBackOffExpires() throws Exception {
        Client c = new Client();
        for (int i = 0; i < 5; i++) {
            assertEquals(401, c.login("admin", "wrong " + i).statusCode());
        }
        HttpResponse<String> delayed = c.login("admin", firstPassword);
        assertEquals(401, delayed.statusCode());
        assertEquals("invalid_credentials", code(delayed));
        assertEquals("2", delayed.headers().firstValue("Retry-After").orElseThrow(), "the source waits 2 s");

        clock.advance(Duration.ofSeconds(1));
        assertEquals("invalid_credentials", code(c.login("admin", firstPassword)));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, c.login("admin", firstPassword).statusCode(), "in again once both waits have passed");
    }

    @Test
    void stateChangingCallsWithoutTheCsrfTokenAreRefused() throws Exception {
        Client c = admin();
        String saved = c.csrf;
        c.csrf = null;
        HttpResponse<String> r = c.send("POST", "/streams", "{\"id\":\"townhall\"}");
        assertEquals(403, r.statusCode());
        assertEquals("csrf_token_invalid", code(r));
        c.csrf = "forged";
        assertEquals("csrf_token_invalid", code(c.send("DELETE", "/streams/townhall", null)));
        c.csrf = saved;
        assertEquals(201, c.send("POST", "/streams", "{\"id\":\"townhall\"}").statusCode());
        assertEquals(200, c.get("/streams/townhall").statusCode(), "reads need no CSRF token");
    }

    @Test
    void aRequestRefusedBeforeItsBodyArrivesClosesTheConnection() throws Exception {
        // Headers only; the announced body never comes. The refusal must not wait for it, and must
        // tell the client not to reuse the connection (its next request would find it closed).
        try (SSLSocket socket = (SSLSocket) TrustAnchors.clientContext(appliance.pki().caCertificateFile())
                .getSocketFactory().createSocket("127.0.0.1", appliance.httpsUri().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /api/v1/streams HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertTrue(in.readLine().startsWith("HTTP/1.1 401"));
            boolean close = false;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                close |= line.equalsIgnoreCase("Connection: close");
            }
            assertTrue(close, "Connection: close on a refusal with the body unread");
        }
    }

    @Test
    void idleSessionsExpire() throws Exception {
        Client c = admin();
        assertEquals(200, c.get("/session").statusCode());
        clock.advance(Duration.ofMinutes(31).toMillis());
        HttpResponse<String> r = c.get("/session");
        assertEquals(401, r.statusCode());
        assertEquals("unauthenticated", code(r));
    }

    @Test
    void logoutEndsTheSession() throws Exception {
        Client c = admin();
        assertEquals(204, c.send("DELETE", "/session", null).statusCode());
        assertEquals(401, c.get("/streams").statusCode());
    }

    @Test
    void disablingAnAdminEndsTheirSessionsAtOnce() throws Exception {
        Client admin = admin();
        HttpResponse<String> created = admin.send("POST", "/admins", "{\"username\":\"olivia\",\"role\":\"operator\"}");
        assertEquals(201, created.statusCode(), created.body());
        String otp = json(created).get("oneTimePassword").asText();
        Client olivia = new Client();
        olivia.login("olivia", otp);
        olivia.send("POST", "/session/password", "{\"currentPassword\":\"" + otp + "\",\"newPassword\":\"another long secret\"}");
        assertEquals(200, olivia.get("/streams").statusCode());

        assertEquals(200, admin.send("PUT", "/admins/olivia", "{\"disabled\":true}").statusCode());
        assertEquals(401, olivia.get("/streams").statusCode());
        assertEquals("invalid_credentials", code(olivia.login("olivia", "another long secret")));
    }

    @Test
    void apiTokensWorkWithoutCsrfAndStopWhenRevoked() throws Exception {
        Client admin = admin();
        Client robot = tokenClient(admin, "operator");
        assertEquals(201, robot.send("POST", "/streams", "{\"id\":\"robot-stream\"}").statusCode());
        String tokenId = json(admin.get("/tokens")).get(0).get("id").asText();
        // sgt_<id>_<secret>: the id never contains '_', the base64url secret may.
        String secret = robot.bearer.substring(robot.bearer.indexOf('_', "sgt_".length()) + 1);
        assertTrue(secret.length() >= 40, "whole secret taken from " + robot.bearer);
        assertFalse(admin.get("/tokens").body().contains(secret), "secrets are never listed");
        assertEquals(204, admin.send("DELETE", "/tokens/" + tokenId, null).statusCode());
        HttpResponse<String> after = robot.get("/streams");
        assertEquals(401, after.statusCode());
        assertEquals("token_invalid", code(after));
    }

    @Test
    void unknownAndForgedTokensAreRefused() throws Exception {
        Client c = new Client();
        c.bearer = "sgt_nope_nope";
        assertEquals("token_invalid", code(c.get("/streams")));
        c.bearer = "not-even-a-token";
        assertEquals(401, c.get("/streams").statusCode());
    }
}
