package io.swarmgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.swarmgate.qoe.QoeReport;
import io.swarmgate.signaling.ClientMessage;
import org.junit.jupiter.api.Test;

/** The seam between signaling and QoE: a wire report becomes the aggregator's report field by field. */
class ApplianceQoeReportsTest {

    @Test
    void everyCounterOfAWireReportReachesTheQoeReport() {
        ClientMessage.Report wire = new ClientMessage.Report(1, 2, 3, 4, 5, 6, 7L, 8, 9, 10,
                new ClientMessage.Failures(11, 12, 13, 14, 15, 16, 17), 2_000L);
        assertEquals(new QoeReport(1, 2, 3, 4, 5, 6, 7L, 9, new QoeReport.Failures(11, 12, 13, 14, 15, 17)),
                QoeWiring.report(wire));
    }

    @Test
    void aReportWithoutStartupOrFailuresCountsNone() {
        ClientMessage.Report wire = new ClientMessage.Report(100, 0, 0, 0, 0, 10_000, null, 0, 3000, 0, null, null);
        QoeReport report = QoeWiring.report(wire);
        assertEquals(null, report.startupMs());
        assertEquals(QoeReport.Failures.NONE, report.failures());
    }
}
