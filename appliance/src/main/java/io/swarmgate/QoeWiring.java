package io.swarmgate;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.metrics.ApplianceMetrics;
import io.swarmgate.qoe.QoeAggregator;
import io.swarmgate.qoe.QoeQueries;
import io.swarmgate.qoe.QoeReport;
import io.swarmgate.qoe.QoeRepository;
import io.swarmgate.qoe.QoeRollup;
import io.swarmgate.signaling.ClientMessage;
import io.swarmgate.signaling.ReportSink;
import io.swarmgate.signaling.SignalingService;
import io.swarmgate.signaling.SiteLink;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;

/**
 * The QoE part of the appliance: the pipeline from viewers' reports to the console's figures and
 * {@code /metrics}, and the conversion of signaling's report messages where the two meet.
 */
final class QoeWiring {

    private QoeWiring() {
    }

    static Appliance.Qoe start(ApplianceConfig config, QoeRepository repository, QoeAggregator aggregator,
                              SignalingService signaling, Clock clock) {
        QoeQueries queries = new QoeQueries(repository, aggregator, signaling::viewersByStreamAndSite,
                signaling::uploadCapacityBySite, () -> wanLinks(signaling.siteLinks()),
                signaling::reachingNobodyByStreamAndSite, clock);
        ApplianceMetrics metrics = new ApplianceMetrics(signaling, aggregator, queries);
        QoeRollup rollup = new QoeRollup(repository, aggregator, clock, new QoeRollup.Settings(
                config.qoe().rollupIntervalMs(), config.qoe().minuteRetentionDays(), config.qoe().hourRetentionDays()),
                true);
        return new Appliance.Qoe(aggregator, rollup, queries, metrics);
    }

    /** Signaling's figure for each site's link, as the console shows it. */
    static Map<String, QoeQueries.WanLink> wanLinks(Map<String, SiteLink> links) {
        Map<String, QoeQueries.WanLink> out = new TreeMap<>();
        links.forEach((site, l) -> out.put(site, new QoeQueries.WanLink(l.kbps(), l.measuredAt(), l.congested())));
        return out;
    }

    /** Signaling's report messages feed the QoE aggregator, converted here where the two meet. */
    static ReportSink reports(QoeAggregator aggregator) {
        return (streamId, site, peerId, report) -> aggregator.accept(streamId, site, peerId, report(report));
    }

    static QoeReport report(ClientMessage.Report r) {
        ClientMessage.Failures f = r.failures() == null ? ClientMessage.Failures.NONE : r.failures();
        return new QoeReport(r.httpBytes(), r.p2pBytes(), r.uploadedBytes(), r.stalls(), r.stallMs(), r.watchMs(),
                r.startupMs(), r.bitrateKbps(),
                new QoeReport.Failures(f.timeout(), f.integrity(), f.gone(), f.noHolder(), f.policy(), f.paused()));
    }
}
