package io.swarmgate.api;

import io.swarmgate.console.Role;
import io.swarmgate.qoe.QoeFigures;
import io.swarmgate.qoe.QoeQueries;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /qoe/live} and {@code /qoe/history}: the dashboard's figures — viewers, peer efficiency,
 * HTTP and P2P bitrate, rebuffer ratio, startup percentiles, why-not-P2P — overall, per stream and
 * per site. The shape is shared with the live socket ({@link LiveFeed}).
 */
public final class QoeResource {

    private static final Schema WHY_NOT_P2P = Schema.object()
            .required("timeout", Schema.integer())
            .required("integrity", Schema.integer())
            .required("gone", Schema.integer())
            .required("noHolder", Schema.integer())
            .required("policy", Schema.integer())
            .required("paused", Schema.integer().describe("segments fetched over HTTP while the viewer had paused"
                    + " P2P downloads because its own transfers from several neighbours kept stalling"))
            .required("total", Schema.integer())
            .describe("segments P2P did not deliver, by reason").named("WhyNotP2p");
    private static final Schema FIGURES = figures(Schema.object()).named("QoeFigures");
    private static final Schema BY_SITE = figures(Schema.object().required("site", Schema.string())).named("QoeBySite");
    private static final Schema LIVE_BY_SITE = figures(Schema.object().required("site", Schema.string())
            .required("uploadCapacityKbps", Schema.integer().nullable().describe("the median upload capacity the"
                    + " site's viewers measured sending segments to each other (kbit/s); null until one did"))
            .required("wanKbps", Schema.integer().nullable().describe("the site's WAN link as its viewers measured"
                    + " it, the HTTP throughput (kbit/s) a viewer joining the site is told: the median of the site's"
                    + " reports in the last minute over all streams, else of its last ones in the past day; null"
                    + " without any"))
            .required("wanMeasuredAt", Schema.instant().nullable().describe("when the newest report wanKbps rests"
                    + " on arrived; null without a figure"))
            .required("wanCongested", Schema.bool().nullable().describe("whether viewers take the site's link for"
                    + " congested (wanKbps under the SDK's 8 Mbit/s: they open their peer connections at once and"
                    + " prefer neighbours on the LAN); null without a figure"))
            .required("viewersReachingNobody", Schema.integer().describe("of the site's viewers connected now,"
                    + " those that reach no colleague: pairings with viewers at two other addresses failed to connect"
                    + " and their report says no data channel is open (an endpoint firewall that blocks WebRTC);"
                    + " they take every segment over the site's link")))
            .named("QoeLiveBySite");
    private static final Schema BY_STREAM = figures(Schema.object().required("stream", Schema.string()))
            .named("QoeByStream");

    /** The longest history one request may ask for. */
    static final Duration MAX_RANGE = Duration.ofDays(800);

    private final QoeQueries queries;

    public QoeResource(QoeQueries queries) {
        this.queries = queries;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/qoe/live", Role.AUDITOR, "Live figures: viewers connected now and the last minute of"
                                + " reports, overall, by stream and by site", r -> live(queries.live()))
                        .returns(200, "the live figures", figures(Schema.object())
                                .required("time", Schema.instant())
                                .required("windowSeconds", Schema.integer())
                                .required("bySite", Schema.arrayOf(LIVE_BY_SITE))
                                .required("byStream", Schema.arrayOf(BY_STREAM))),
                Route.get("/qoe/history", Role.AUDITOR, "Figures over time, overall, by stream and by site",
                                this::history)
                        .query("from", Schema.instant(), "ISO-8601 instant; default an hour before to")
                        .query("to", Schema.instant(), "ISO-8601 instant; default now")
                        .query("step", Schema.oneOf(List.of("minute", "hour")),
                                "default minute, hour for more than 48 hours")
                        .query("stream", Schema.string(2048), "only this stream")
                        .query("site", Schema.string(64), "only this site")
                        .returns(200, "the series and totals", Schema.object()
                                .required("step", Schema.oneOf(List.of("minute", "hour"))
                                        .describe("the resolution the points have"))
                                .required("from", Schema.instant())
                                .required("to", Schema.instant())
                                .required("points", Schema.arrayOf(figures(Schema.object()
                                        .required("t", Schema.instant()))))
                                .required("overall", FIGURES)
                                .required("bySite", Schema.arrayOf(BY_SITE))
                                .required("byStream", Schema.arrayOf(BY_STREAM))));
    }

    /** The dashboard's figures, as {@link #figures(QoeFigures)} writes them, added to {@code o}. */
    private static Schema figures(Schema o) {
        Schema ratio = Schema.number().nullable().describe("0..1; null without data");
        return o.required("viewers", Schema.number().describe("average concurrent viewers (live: connected now)"))
                .required("peakViewers", Schema.integer().nullable())
                .required("efficiency", ratio)
                .required("httpBps", Schema.number())
                .required("p2pBps", Schema.number())
                .required("rebufferRatio", ratio)
                .required("startupP50Ms", Schema.number().nullable())
                .required("startupP95Ms", Schema.number().nullable())
                .required("avgBitrateKbps", Schema.number().nullable())
                .required("whyNotP2p", WHY_NOT_P2P)
                .required("httpBytes", Schema.integer())
                .required("p2pBytes", Schema.integer())
                .required("uploadedBytes", Schema.integer())
                .required("stalls", Schema.integer());
    }

    private Object history(ApiRequest r) throws Exception {
        Instant to = instant(r, "to", Instant.now());
        Instant from = instant(r, "from", to.minus(Duration.ofHours(1)));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("from", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw ApiException.badRequest("from", "ask for at most " + MAX_RANGE.toDays() + " days at once");
        }
        QoeQueries.Step step;
        try {
            step = QoeQueries.Step.parse(r.query("step") == null
                    ? (Duration.between(from, to).toHours() > 48 ? "hour" : "minute") : r.query("step"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("step", e.getMessage());
        }
        QoeQueries.History h = queries.history(from, to, step, r.query("stream"), r.query("site"));
        List<Map<String, Object>> points = new ArrayList<>();
        for (QoeQueries.Point p : h.points()) {
            Map<String, Object> point = figures(p.figures());
            point.put("t", p.at().toString());
            points.add(point);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("step", h.source().wire());
        body.put("from", h.from().toString());
        body.put("to", h.to().toString());
        body.put("points", points);
        body.put("overall", figures(h.overall()));
        body.put("bySite", breakdown(h.bySite(), "site"));
        body.put("byStream", breakdown(h.byStream(), "stream"));
        return body;
    }

    private static Instant instant(ApiRequest r, String name, Instant fallback) throws ApiException {
        String v = r.query(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name, name + " must be an ISO-8601 instant like 2026-11-22T10:00:00Z");
        }
    }

    /** The live view in the dashboard's shape. */
    static Map<String, Object> live(QoeQueries.LiveView v) {
        Map<String, Object> body = figures(v.overall());
        body.put("time", v.at().toString());
        body.put("windowSeconds", v.windowSeconds());
        List<Map<String, Object>> sites = breakdown(v.bySite(), "site");
        for (Map<String, Object> row : sites) {
            String site = (String) row.get("site");
            row.put("uploadCapacityKbps", v.uploadCapacityBySite().get(site));
            QoeQueries.WanLink wan = v.wanLinkBySite().get(site);
            row.put("wanKbps", wan == null ? null : wan.kbps());
            row.put("wanMeasuredAt", wan == null ? null : wan.measuredAt().toString());
            row.put("wanCongested", wan == null ? null : wan.congested());
            row.put("viewersReachingNobody", v.reachingNobodyBySite().getOrDefault(site, 0));
        }
        body.put("bySite", sites);
        body.put("byStream", breakdown(v.byStream(), "stream"));
        return body;
    }

    static Map<String, Object> figures(QoeFigures f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("viewers", f.viewers());
        m.put("peakViewers", f.peakViewers());
        m.put("efficiency", f.peerEfficiency());
        m.put("httpBps", f.httpBitrateBps());
        m.put("p2pBps", f.p2pBitrateBps());
        m.put("rebufferRatio", f.rebufferRatio());
        m.put("startupP50Ms", f.startupP50Ms());
        m.put("startupP95Ms", f.startupP95Ms());
        m.put("avgBitrateKbps", f.avgBitrateKbps());
        m.put("whyNotP2p", f.whyNotP2p());
        m.put("httpBytes", f.httpBytes());
        m.put("p2pBytes", f.p2pBytes());
        m.put("uploadedBytes", f.uploadedBytes());
        m.put("stalls", f.stalls());
        return m;
    }

    private static List<Map<String, Object>> breakdown(Map<String, QoeFigures> by, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        by.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(key, e.getKey());
            row.putAll(figures(e.getValue()));
            out.add(row);
        });
        return out;
    }
}
