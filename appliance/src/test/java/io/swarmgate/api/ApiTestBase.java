package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Appliance;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.config.ConfigLoader;
import io.swarmgate.SettableClock;
import io.swarmgate.pki.TrustAnchors;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real appliance over HTTPS with a settable clock, and clients that sign in like the console. */
abstract class ApiTestBase {

    @TempDir
    Path tmp;

    protected Appliance appliance;
    protected SettableClock clock;
    protected String firstPassword;
    private Map<String, String> flags;

    protected Map<String, String> overrides() {
        return Map.of();
    }

    @BeforeEach
    void startAppliance() throws Exception {
        clock = new SettableClock(System.currentTimeMillis());
        flags = new HashMap<>(Map.of(
                ConfigKey.DATA_DIR, tmp.resolve("data").toString(), ConfigKey.SERVER_BIND, "127.0.0.1",
                ConfigKey.SERVER_HTTPS_PORT, "0", ConfigKey.STUN_PORT, "0", ConfigKey.LOG_REQUESTS, "false",
                ConfigKey.AUTH_ARGON2_MEMORY_KIB, "8192", ConfigKey.AUTH_ARGON2_ITERATIONS, "1"));
        flags.putAll(overrides());
        appliance = Appliance.start(ConfigLoader.load(null, Map.of(), flags), clock);
        firstPassword = Files.readString(appliance.dataDir().initialPasswordFile()).strip();
    }

    /**
     * Stops the appliance cleanly and starts it again on the same data directory, settings and
     * clock; signed-in clients must sign in again (sessions live in memory).
     */
    protected void restartAppliance() throws Exception {
        appliance.close();
        appliance = null;
        appliance = Appliance.start(ConfigLoader.load(null, Map.of(), flags), clock);
    }

    @AfterEach
    void stopAppliance() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    /** A browser-like client: cookie jar, CSRF token remembered after sign-in. */
    protected final class Client {
        final HttpClient http;
        String csrf;
        String bearer;
        /** {@code sg_session=…} from the last sign-in, for clients without a cookie jar (WebSockets). */
        String sessionCookie;

        Client() throws Exception {
            http = HttpClient.newBuilder().sslContext(TrustAnchors.clientContext(appliance.pki().caCertificateFile()))
                    .cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
        }

        HttpResponse<String> send(String method, String path, String body, String contentType) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(appliance.httpsUri().resolve("/api/v1" + path).toString()))
                    .timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", contentType);
            }
            if (csrf != null) {
                b.header("X-CSRF-Token", csrf);
            }
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> send(String method, String path, String json) throws Exception {
            return send(method, path, json, "application/json");
        }

        HttpResponse<String> get(String path) throws Exception {
            return send("GET", path, null, null);
        }

        HttpResponse<String> login(String user, String password) throws Exception {
            HttpResponse<String> r = send("POST", "/session",
                    "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
            if (r.statusCode() == 200) {
                csrf = json(r).get("csrfToken").asText();
                sessionCookie = r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            }
            return r;
        }
    }

    /**
     * Writes {@code head} (request line and headers, without the blank line) on a new TLS connection
     * as it is, for requests the JDK client refuses to send (a malformed percent-escape), and
     * returns everything the appliance answers until it closes the connection or goes quiet.
     */
    protected String raw(String head) throws Exception {
        var context = TrustAnchors.clientContext(appliance.pki().caCertificateFile());
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket("127.0.0.1", appliance.httpsUri().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write((head + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = s.getInputStream().read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                // the connection stayed open: the answer is complete
            }
            return answer.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    protected static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    protected static String code(HttpResponse<String> r) throws Exception {
        return json(r).at("/error/code").asText();
    }

    /** Signs in as the first admin and replaces its one-time password. */
    protected Client admin() throws Exception {
        Client c = new Client();
        c.login("admin", firstPassword);
        HttpResponse<String> r = c.send("POST", "/session/password",
                "{\"currentPassword\":\"" + firstPassword + "\",\"newPassword\":\"correct horse battery\"}");
        if (r.statusCode() != 200) {
            throw new AssertionError(r.body());
        }
        return c;
    }

    /** An API-token client with {@code role}, created by {@code admin}. */
    protected Client tokenClient(Client admin, String role) throws Exception {
        HttpResponse<String> r = admin.send("POST", "/tokens", "{\"name\":\"" + role + " automation\",\"role\":\"" + role + "\"}");
        if (r.statusCode() != 201) {
            throw new AssertionError(r.body());
        }
        Client c = new Client();
        c.bearer = json(r).get("token").asText();
        return c;
    }
}
