package io.swarmgate.signaling;

/**
 * Receives every validated QoE {@code report}. The analytics store implements it; it must be
 * cheap and non-blocking because it runs on the connection's thread.
 */
@FunctionalInterface
public interface ReportSink {

    void accept(String streamId, String site, String peerId, ClientMessage.Report report);
}
