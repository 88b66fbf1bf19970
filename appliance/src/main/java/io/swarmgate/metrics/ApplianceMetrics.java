package io.swarmgate.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmgate.qoe.QoeAggregator;
import io.swarmgate.qoe.QoeQueries;
import io.swarmgate.signaling.ClientMessage;
import io.swarmgate.signaling.ErrorCode;
import io.swarmgate.signaling.SignalingService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus registry behind {@code /metrics}: viewers per stream and site, peer efficiency,
 * bytes by source, signaling connections, errors and reports, and the JVM. Values are read when
 * scraped; nothing here runs on the report path.
 *
 * <p>Viewer series are capped at {@link #MAX_VIEWER_SERIES} (stream, site) label sets, the busiest
 * first; the rest are summed into {@code stream="other", site="other"} so a flood of ad-hoc stream
 * ids cannot blow up the scrape.
 */
public final class ApplianceMetrics implements AutoCloseable {

    static final int MAX_VIEWER_SERIES = 200;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SignalingService signaling;
    private final QoeQueries queries;
    private final MultiGauge viewers;
    private final MultiGauge reachingNobody;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile double peerEfficiency = Double.NaN;

    public ApplianceMetrics(SignalingService signaling, QoeAggregator aggregator, QoeQueries queries) {
        this.signaling = signaling;
        this.queries = queries;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        viewers = MultiGauge.builder("swarmgate.viewers")
                .description("Viewers connected now, by stream and site")
                .register(registry);
        reachingNobody = MultiGauge.builder("swarmgate.viewers.unreachable")
                .description("Viewers connected now that reach no colleague: their pairings fail to connect and they"
                        + " have no data channel open (an endpoint firewall that blocks WebRTC), by stream and site")
                .register(registry);
        Gauge.builder("swarmgate.peer.efficiency", this, m -> m.peerEfficiency)
                .description("P2P bytes / (HTTP + P2P bytes) over the last minute of reports; NaN without traffic")
                .register(registry);
        Gauge.builder("swarmgate.websocket.connections", signaling, SignalingService::connections)
                .description("Open signaling WebSocket connections")
                .register(registry);
        FunctionCounter.builder("swarmgate.integrity.origin.fetches", signaling, s -> s.hashes().fetches())
                .description("Segments the appliance fetched from origins to learn their hashes")
                .register(registry);
        FunctionCounter.builder("swarmgate.integrity.origin.bytes", signaling, s -> s.hashes().fetchedBytes())
                .description("Bytes the appliance read from origins to hash segments: its own origin load")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("swarmgate.integrity.origin.failures", signaling, s -> s.hashes().failures())
                .description("Origin fetches that gave no hash (unreachable, not found, too large)")
                .register(registry);
        FunctionCounter.builder("swarmgate.integrity.reports", signaling, s -> s.ledger().totalReports())
                .description("Viewer reports of peer bytes that failed the appliance's hash")
                .register(registry);
        FunctionCounter.builder("swarmgate.integrity.barred", signaling, s -> s.ledger().totalBarred())
                .description("Peers barred from exchanging segments after integrity reports")
                .register(registry);
        FunctionCounter.builder("swarmgate.integrity.unverified", signaling, SignalingService::unverifiedTransfers)
                .description("P2P transfers viewers dropped because the appliance had no hash for the segment")
                .register(registry);
        FunctionCounter.builder("swarmgate.qoe.reports", signaling, SignalingService::reportsReceived)
                .description("QoE reports received")
                .register(registry);
        for (String source : List.of("http", "p2p", "uploaded")) {
            FunctionCounter.builder("swarmgate.bytes", aggregator, a -> switch (source) {
                case "http" -> a.httpBytes();
                case "p2p" -> a.p2pBytes();
                default -> a.uploadedBytes();
            }).baseUnit("bytes").tags("source", source)
                    .description("Bytes viewers reported, by source (uploaded: sent to other viewers)")
                    .register(registry);
        }
        for (String reason : ClientMessage.Failing.REASONS) {
            FunctionCounter.builder("swarmgate.mesh.pairings.failed", signaling, s -> s.failedPairings(reason))
                    .tags("reason", reason)
                    .description("Pairings viewers reported as failing, by reason (connect: no data channel opened)")
                    .register(registry);
        }
        for (ErrorCode code : ErrorCode.values()) {
            FunctionCounter.builder("swarmgate.signaling.errors", signaling,
                            s -> s.errorsSent().getOrDefault(code, 0L))
                    .tags("code", code.wire())
                    .description("Signaling error messages sent, by code")
                    .register(registry);
        }
    }

    /** The whole registry in Prometheus text format, with the live figures refreshed first. */
    public String scrape() {
        refresh();
        return registry.scrape();
    }

    private void refresh() {
        QoeQueries.LiveView live = queries.live();
        Double efficiency = live.overall().peerEfficiency();
        peerEfficiency = efficiency == null ? Double.NaN : efficiency;

        bySeries(viewers, signaling.viewersByStreamAndSite());
        bySeries(reachingNobody, signaling.reachingNobodyByStreamAndSite());
    }

    /**
     * One series per stream and site, the largest first; past {@link #MAX_VIEWER_SERIES} the rest
     * are summed under stream and site "other". Series no longer counted disappear.
     */
    private static void bySeries(MultiGauge gauge, Map<String, Map<String, Integer>> counts) {
        record Series(String stream, String site, int viewers) {
        }
        List<Series> all = new ArrayList<>();
        for (Map.Entry<String, Map<String, Integer>> stream : counts.entrySet()) {
            stream.getValue().forEach((site, n) -> all.add(new Series(stream.getKey(), site, n)));
        }
        all.sort(Comparator.comparingInt(Series::viewers).reversed()
                .thenComparing(Series::stream).thenComparing(Series::site));
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        long other = 0;
        for (int i = 0; i < all.size(); i++) {
            Series s = all.get(i);
            if (i < MAX_VIEWER_SERIES) {
                rows.add(MultiGauge.Row.of(Tags.of("stream", s.stream(), "site", s.site()), s.viewers()));
            } else {
                other += s.viewers();
            }
        }
        if (all.size() > MAX_VIEWER_SERIES) {
            rows.add(MultiGauge.Row.of(Tags.of("stream", "other", "site", "other"), other));
        }
        gauge.register(rows, true);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
