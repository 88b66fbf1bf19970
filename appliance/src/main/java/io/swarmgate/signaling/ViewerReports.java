package io.swarmgate.signaling;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the viewers' QoE {@code report}s go: the analytics store ({@link ReportSink}), each site's
 * link as its viewers measured it (the HTTP throughput joiners are told in {@code welcome},
 * remembered per site for a day, which the console shows too), the upload capacity the console
 * shows per site, and the counts the metrics export. Reports arrive on Jetty's I/O threads;
 * everything here is safe on any thread.
 */
final class ViewerReports {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerReports.class);

    private final ReportSink sink;
    private final Clock clock;
    private final SiteThroughput httpThroughput = new SiteThroughput(SiteThroughput.REMEMBER_MS);
    private final SiteThroughput uploadCapacity = new SiteThroughput();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong unverified = new AtomicLong();

    ViewerReports(ReportSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** A validated report of the viewer {@code m}. */
    void accept(ViewerSession.Membership m, ClientMessage.Report report) {
        received.incrementAndGet();
        unverified.addAndGet(report.failures().unverified());
        LOG.debug("{} - report: http {} B, p2p {} B, stalls {}", m.peerId(), report.httpBytes(), report.p2pBytes(),
                report.stalls());
        sink.accept(m.streamId(), m.site(), m.peerId(), report);
        long now = clock.millis();
        httpThroughput.record(m.streamId(), m.site(), report.httpKbps(), now);
        uploadCapacity.record(m.streamId(), m.site(), report.uploadKbps(), now);
    }

    /** The sites' HTTP throughput, for welcomes. */
    SiteThroughput httpThroughput() {
        return httpThroughput;
    }

    /** Both per-site figures, for the sweeper to prune. */
    List<SiteThroughput> siteFigures() {
        return List.of(httpThroughput, uploadCapacity);
    }

    long received() {
        return received.get();
    }

    /** P2P transfers viewers dropped because the appliance had no hash for the segment, since start. */
    long unverifiedTransfers() {
        return unverified.get();
    }

    /** Per site, the median upload capacity (kbit/s) its viewers measured and reported in the last minute. */
    Map<String, Long> uploadCapacityBySite() {
        return uploadCapacity.mediansBySite(clock.millis());
    }

    /** Per site, its link as its viewers measured it lately, else as remembered for a day. */
    Map<String, SiteLink> siteLinks() {
        return httpThroughput.linksBySite(clock.millis());
    }
}
