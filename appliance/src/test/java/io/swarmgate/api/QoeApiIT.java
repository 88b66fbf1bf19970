package io.swarmgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.Await;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.pki.TrustAnchors;
import io.swarmgate.signaling.SiteLink;
import io.swarmgate.signaling.TestViewer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's data: /qoe/live, /qoe/history and the live socket, fed by real viewers. */
@Timeout(60)
class QoeApiIT extends ApiTestBase {

    @Override
    protected Map<String, String> overrides() {
        return Map.of(ConfigKey.SERVER_HTTP_PORT, "0", "qoe.flush-interval-ms", "1000");
    }

    private TestViewer viewer() throws Exception {
        return viewer("127.0.4.1");
    }

    private TestViewer viewer(String address) throws Exception {
        return TestViewer.connect(URI.create("ws://127.0.0.1:" + appliance.httpUri().getPort() + "/ws"), address, null);
    }

    private static String httpReport(long httpKbps) {
        return "{\"type\":\"report\",\"httpBytes\":800000,\"p2pBytes\":0,\"uploadedBytes\":0,\"stalls\":0,"
                + "\"stallMs\":0,\"watchMs\":10000,\"level\":0,\"bitrateKbps\":300,\"neighbours\":0,"
                + "\"httpKbps\":" + httpKbps + "}";
    }

    /** The live row of {@code site}, once {@code ready} holds for it. */
    private static JsonNode siteRow(Client c, String site, java.util.function.Predicate<JsonNode> ready, String what)
            throws Exception {
        JsonNode[] row = new JsonNode[1];
        Await.until(what, Duration.ofSeconds(10), () -> {
            for (JsonNode r : json(c.get("/qoe/live")).get("bySite")) {
                if (r.get("site").asText().equals(site) && ready.test(r)) {
                    row[0] = r;
                    return true;
                }
            }
            return false;
        });
        return row[0];
    }

    @Test
    void aJoiningViewerAndItsReportShowOnTheLiveFigures() throws Exception {
        Client c = admin();
        assertEquals(0, json(c.get("/qoe/live")).get("viewers").asDouble());
        try (TestViewer v = viewer()) {
            v.joinStream("townhall");
            Await.until("the viewer on /qoe/live", Duration.ofSeconds(10),
                    () -> json(c.get("/qoe/live")).get("viewers").asDouble() == 1);
            v.send("{\"type\":\"report\",\"httpBytes\":1000000,\"p2pBytes\":3000000,\"uploadedBytes\":0,\"stalls\":0,"
                    + "\"stallMs\":0,\"watchMs\":10000,\"startupMs\":800,\"level\":0,\"bitrateKbps\":300,\"neighbours\":2,"
                    + "\"failures\":{\"timeout\":2,\"noHolder\":1,\"paused\":3}}");
            // Reports are aggregated on the next flush (qoe.flush-interval-ms).
            Await.until("the report's efficiency on /qoe/live", Duration.ofSeconds(10),
                    () -> json(c.get("/qoe/live")).get("efficiency").isNumber());
            JsonNode live = json(c.get("/qoe/live"));
            assertEquals(0.75, live.get("efficiency").asDouble(), 1e-9);
            assertEquals(2, live.at("/whyNotP2p/timeout").asLong());
            assertEquals(3, live.at("/whyNotP2p/paused").asLong());
            assertEquals(6, live.at("/whyNotP2p/total").asLong());
            assertEquals("townhall", live.at("/byStream/0/stream").asText());
            assertTrue(live.at("/bySite/0/uploadCapacityKbps").isNull(), "no viewer has measured its upload yet");
            assertEquals(0, live.at("/bySite/0/viewersReachingNobody").asInt(-1), "no pairing failed to connect");
            for (String field : new String[] {"wanKbps", "wanMeasuredAt", "wanCongested"}) {
                assertTrue(live.at("/bySite/0/" + field).isNull(), field + ": no viewer has measured its HTTP fetches yet");
            }

            // What viewers measured uploading (report.uploadKbps) shows per site: the median.
            for (long kbps : new long[] {40_000, 9_000, 12_000}) {
                v.send("{\"type\":\"report\",\"httpBytes\":0,\"p2pBytes\":0,\"uploadedBytes\":500000,\"stalls\":0,"
                        + "\"stallMs\":0,\"watchMs\":10000,\"level\":0,\"bitrateKbps\":300,\"neighbours\":2,"
                        + "\"uploadKbps\":" + kbps + "}");
            }
            Await.until("the site's upload capacity on /qoe/live", Duration.ofSeconds(10),
                    () -> json(c.get("/qoe/live")).at("/bySite/0/uploadCapacityKbps").asLong() == 12_000);
        }
    }

    @Test
    void eachSitesWanLinkIsWhatItsJoinersAreToldAndUnder8MbpsIsCongested() throws Exception {
        Client c = admin();
        String branch;
        String hq;
        Instant measured;
        try (TestViewer slow = viewer("127.0.4.1"); TestViewer fast = viewer("127.0.5.1")) {
            branch = slow.joinStream("townhall").get("site").asText();
            hq = fast.joinStream("weekly").get("site").asText();
            assertTrue(!branch.equals(hq), "two sites: " + branch);
            measured = clock.instant();
            // the viewers' fastest recent fetches (report.httpKbps): per site, the median over its streams
            for (long kbps : new long[] {2_400, 6_000, 1_800}) {
                slow.send(httpReport(kbps));
            }
            fast.send(httpReport(95_000));
            JsonNode thin = siteRow(c, branch, r -> r.get("wanKbps").asLong() == 2_400, "the branch's link on /qoe/live");
            assertEquals(measured.toString(), thin.get("wanMeasuredAt").asText());
            assertTrue(thin.get("wanCongested").asBoolean(), "2.4 Mbit/s is a congested link for the SDK");
            JsonNode open = siteRow(c, hq, r -> r.get("wanKbps").asLong() == 95_000, "the hq's link on /qoe/live");
            assertTrue(open.get("wanCongested").isBoolean() && !open.get("wanCongested").asBoolean());
            // the answer with the figures is what openapi.json declares, and declares every field of it
            OpenApiDocument api = new OpenApiDocument(json(new Client().get("/openapi.json")));
            OpenApiDocument.Operation live = api.operations().stream()
                    .filter(op -> op.method().equals("get") && op.path().equals("/qoe/live")).findFirst().orElseThrow();
            assertEquals(java.util.List.of(), api.problems(live.response(200).at("/content/application~1json/schema"),
                    json(c.get("/qoe/live")), true));
        }
        // Ten minutes later a branch viewer of another stream joins: no fresh report anywhere, the site's
        // remembered link is what the joiner is told and what the console shows (within the admin's session).
        clock.advance(Duration.ofMinutes(10));
        try (TestViewer next = viewer("127.0.4.2")) {
            JsonNode welcome = next.joinStream("allhands");
            assertEquals(branch, welcome.get("site").asText());
            assertEquals(2_400, welcome.path("siteHttpKbps").asLong(), "told the stored figure: " + welcome);
            JsonNode remembered = siteRow(c, branch, r -> r.get("viewers").asDouble() == 1, "the branch's joiner on /qoe/live");
            assertEquals(2_400, remembered.get("wanKbps").asLong());
            assertEquals(measured.toString(), remembered.get("wanMeasuredAt").asText(), "measured ten minutes ago");
            assertTrue(remembered.get("wanCongested").asBoolean());
        }
    }

    @Test
    void aSitesWanLinkOutlivesARestartOfTheAppliance() throws Exception {
        String branch;
        Instant measured;
        try (TestViewer slow = viewer("127.0.4.1")) {
            branch = slow.joinStream("townhall").get("site").asText();
            measured = clock.instant();
            for (long kbps : new long[] {2_400, 6_000, 1_800}) {
                slow.send(httpReport(kbps));
            }
            Await.until("the branch's link measured", Duration.ofSeconds(10), () -> {
                SiteLink link = appliance.signaling().siteLinks().get(branch);
                return link != null && link.kbps() == 2_400;
            });
        }
        // An upgrade: the stop stores the site's figure, the start reads it back; ten minutes later
        // the first viewer of the next event in the branch is told its thin link before any report.
        restartAppliance();
        clock.advance(Duration.ofMinutes(10));
        try (TestViewer first = viewer("127.0.4.2")) {
            JsonNode welcome = first.joinStream("allhands");
            assertEquals(branch, welcome.get("site").asText());
            assertEquals(2_400, welcome.path("siteHttpKbps").asLong(), "told the stored figure: " + welcome);
            JsonNode row = siteRow(admin(), branch, r -> r.get("viewers").asDouble() == 1, "the branch's joiner on /qoe/live");
            assertEquals(2_400, row.get("wanKbps").asLong());
            assertEquals(measured.toString(), row.get("wanMeasuredAt").asText(), "measured before the restart");
            assertTrue(row.get("wanCongested").asBoolean());
        }
    }

    @Test
    void historyAnswersWithPointsAndRejectsBadRanges() throws Exception {
        Client c = admin();
        Instant to = Instant.now();
        HttpResponse<String> ok = c.get("/qoe/history?from=" + to.minus(Duration.ofMinutes(10)) + "&to=" + to + "&step=minute");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("minute", json(ok).get("step").asText());
        assertTrue(json(ok).get("points").size() >= 10);
        assertEquals("from", json(c.get("/qoe/history?from=" + to + "&to=" + to.minusSeconds(60))).at("/error/field").asText());
        assertEquals("step", json(c.get("/qoe/history?step=fortnight")).at("/error/field").asText());
        assertEquals("from", json(c.get("/qoe/history?from=yesterday")).at("/error/field").asText());
    }

    @Test
    void theLiveSocketSendsConfigFirstThenDataEverySecondAndOnlyToSignedInConsoles() throws Exception {
        Client c = admin();
        String cookie = c.sessionCookie;
        String origin = "https://127.0.0.1:" + appliance.httpsUri().getPort();
        URI wss = URI.create("wss://127.0.0.1:" + appliance.httpsUri().getPort() + "/api/v1/live");
        LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        HttpClient http = HttpClient.newBuilder().sslContext(TrustAnchors.clientContext(appliance.pki().caCertificateFile())).build();
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder().header("Cookie", cookie).header("Origin", origin).buildAsync(wss, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                messages.add(data.toString());
                ws.request(1);
                return null;
            }
        });
        WebSocket socket;
        try {
            socket = opening.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
                throw new AssertionError("handshake refused: " + h.getResponse().statusCode() + " " + h.getResponse().body()
                        + " cookie " + cookie, e);
            }
            throw e;
        }
        JsonNode config = Json.MAPPER.readTree(messages.poll(5, TimeUnit.SECONDS));
        assertEquals("config", config.get("type").asText());
        assertEquals(1000, config.get("intervalMs").asInt());
        JsonNode data = Json.MAPPER.readTree(messages.poll(5, TimeUnit.SECONDS));
        assertEquals("data", data.get("type").asText());
        assertTrue(data.has("viewers") && data.has("efficiency") && data.has("bySite"));
        socket.abort();

        CompletableFuture<WebSocket> anonymous = http.newWebSocketBuilder().header("Origin", origin)
                .buildAsync(wss, new WebSocket.Listener() { });
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> anonymous.get(10, TimeUnit.SECONDS));
        assertEquals(401, ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());

        // Another site's page cannot ride the admin's cookie: cross-site WebSocket hijacking is refused.
        CompletableFuture<WebSocket> crossSite = http.newWebSocketBuilder().header("Cookie", cookie)
                .header("Origin", "https://evil.example").buildAsync(wss, new WebSocket.Listener() { });
        Exception forbidden = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> crossSite.get(10, TimeUnit.SECONDS));
        assertEquals(403, ((java.net.http.WebSocketHandshakeException) forbidden.getCause()).getResponse().statusCode());
    }
}
