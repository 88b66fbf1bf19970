package io.swarmgate.api;

import io.swarmgate.console.Role;
import io.swarmgate.integrity.IntegrityLedger;
import io.swarmgate.integrity.SegmentHashes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code /integrity}: the integrity anchor's origin load and, per stream, the integrity reports and
 * the peers barred for bytes that failed the appliance's hash (docs/security.md, "Offenders").
 */
public final class IntegrityResource {

    private final SegmentHashes hashes;
    private final IntegrityLedger ledger;
    private final LongSupplier unverified;

    public IntegrityResource(SegmentHashes hashes, IntegrityLedger ledger, LongSupplier unverified) {
        this.hashes = hashes;
        this.ledger = ledger;
        this.unverified = unverified;
    }

    private static final Schema SITES = Schema.mapOf(Schema.object()
            .required("reports", Schema.integer())
            .required("barred", Schema.integer())).describe("integrity reports and barred peers by site");
    private static final Schema OFFENDERS = Schema.arrayOf(Schema.object()
            .required("peerId", Schema.string())
            .required("address", Schema.string())
            .required("site", Schema.string())
            .required("reporters", Schema.integer()).describe("distinct addresses that reported it")
            .required("barredAt", Schema.instant())).describe("barred peers, most recent first");
    private static final Schema STREAM = Schema.object()
            .required("streamId", Schema.string())
            .required("sites", SITES)
            .required("offenders", OFFENDERS)
            .named("IntegrityStream");

    public List<Route> routes() {
        return List.of(
                Route.get("/integrity", Role.AUDITOR,
                                "Segment integrity: the anchor's origin load, integrity reports and barred peers per stream",
                                this::overview)
                        .query("stream", Schema.string(2048), "only this stream (a policy id or manifest URL)")
                        .returns(200, "figures since start", Schema.object()
                                .required("anchor", Schema.object()
                                        .required("asks", Schema.integer())
                                        .required("fetches", Schema.integer())
                                        .required("fetchedBytes", Schema.integer())
                                        .required("failures", Schema.integer())
                                        .required("cachedSegments", Schema.integer()))
                                .required("unverifiedTransfers", Schema.integer())
                                .required("reports", Schema.integer())
                                .required("barred", Schema.integer())
                                .required("streams", Schema.arrayOf(STREAM))),
                Route.get("/streams/{id}/offenders", Role.AUDITOR,
                                "Peers barred on one stream for bytes that failed the appliance's hash, most recent first",
                                r -> stream(r.param("id")))
                        .path("id", StreamResource.ID, "the stream policy")
                        .returns(200, "the stream's integrity record", STREAM));
    }

    private Map<String, Object> overview(ApiRequest r) throws ApiException {
        Map<String, Object> anchor = new LinkedHashMap<>();
        anchor.put("asks", hashes.asks());
        anchor.put("fetches", hashes.fetches());
        anchor.put("fetchedBytes", hashes.fetchedBytes());
        anchor.put("failures", hashes.failures());
        anchor.put("cachedSegments", hashes.size());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("anchor", anchor);
        out.put("unverifiedTransfers", unverified.getAsLong());
        out.put("reports", ledger.totalReports());
        out.put("barred", ledger.totalBarred());
        String only = r.query("stream");
        List<Map<String, Object>> streams = new ArrayList<>();
        for (String id : ledger.streams()) {
            if (only == null || only.equals(id)) {
                streams.add(stream(id));
            }
        }
        out.put("streams", streams);
        return out;
    }

    private Map<String, Object> stream(String id) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("streamId", id);
        s.put("sites", ledger.counts(id));
        List<Map<String, Object>> offenders = new ArrayList<>();
        for (IntegrityLedger.Offender o : ledger.offenders(id)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peerId", o.peerId());
            m.put("address", o.address());
            m.put("site", o.site());
            m.put("reporters", o.reporters());
            m.put("barredAt", o.barredAt().toString());
            offenders.add(m);
        }
        s.put("offenders", offenders);
        return s;
    }
}
