package io.swarmgate.api;

import io.swarmgate.console.Role;
import io.swarmgate.mesh.SiteRange;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SiteCsv;
import io.swarmgate.policy.StreamPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code /sites}: the CIDR → site map, with CSV export and an import that can be previewed first
 * ({@code ?dryRun=true}) and is applied whole or not at all.
 */
public final class SiteResource {

    static final Schema SITE = Schema.string(64).pattern(StreamPolicy.SITE_PATTERN)
            .describe("1-64 letters, digits, '.', '_', ':', '/', '-', starting with a letter or digit; not auto:…")
            .example("paris");
    private static final Schema CIDR = Schema.string(64)
            .describe("an IPv4 or IPv6 block such as 10.20.0.0/16 or 2001:db8:20::/48, no host bits set")
            .example("10.20.0.0/16");
    private static final Schema RANGE = Schema.object()
            .required("cidr", CIDR)
            .required("site", Schema.string())
            .required("label", Schema.string().describe("free text, may be empty"))
            .named("SiteRange");

    private final PolicyService policies;

    public SiteResource(PolicyService policies) {
        this.policies = policies;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/sites", Role.AUDITOR, "List site ranges", r -> policies.listSites())
                        .returns(200, "the ranges, by site", Schema.arrayOf(RANGE)),
                Route.post("/sites", Role.OPERATOR, "Add a site range, or change the site and label of an existing CIDR",
                                this::add)
                        .json(Schema.object()
                                .required("cidr", CIDR)
                                .required("site", SITE)
                                .optional("label", Schema.string(SiteCsv.MAX_LABEL).describe("leave out for none")
                                        .example("Paris HQ")))
                        .returns(201, "the range as stored", RANGE),
                Route.delete("/sites", Role.OPERATOR, "Remove the range given as ?cidr=", this::remove)
                        .requiredQuery("cidr", Schema.string(64), "the range, spelt as listed")
                        .returnsNothing("removed")
                        .fails(404, "no range with this CIDR", "not_found"),
                Route.get("/sites/export", Role.AUDITOR, "Export site ranges as CSV (cidr,site,label)",
                                r -> ApiResponse.text(policies.exportSites(), "text/csv; charset=utf-8", "sites.csv"))
                        .returnsText("text/csv", "the ranges as sites.csv, in the form the import reads"),
                Route.post("/sites/import", Role.OPERATOR, "Import a CSV of site ranges, whole or not at all;"
                                + " ?dryRun=true previews the changes without applying them", this::importCsv)
                        .query("dryRun", Schema.bool(), "true: only report what the import would change;"
                                + " exactly true or false, default false")
                        .text("text/csv", "csv", Schema.string().describe("UTF-8 CSV, columns cidr,site,label;"
                                + " the header line is optional").example("cidr,site,label\n10.20.0.0/16,paris,Paris HQ\n"),
                                "the ranges")
                        .returns(200, "what changed (or would change)", Schema.object()
                                .required("added", Schema.arrayOf(RANGE))
                                .required("changed", Schema.arrayOf(Schema.object()
                                        .required("cidr", Schema.string())
                                        .required("from", RANGE)
                                        .required("to", RANGE)))
                                .required("unchanged", Schema.integer())
                                .required("applied", Schema.bool().describe("false for a dry run")))
                        .fails(400, "one problem per bad line, in problems; nothing is imported", "invalid_csv"));
    }

    private Object add(ApiRequest r) throws Exception {
        String label = r.optionalString("label", SiteCsv.MAX_LABEL);
        SiteRange range = SiteCsv.range(r.string("cidr", 64), r.string("site", 64), label == null ? "" : label);
        policies.addSite(range, r.actor());
        return ApiResponse.json(201, range);
    }

    private Object remove(ApiRequest r) throws Exception {
        String cidr = r.query("cidr");
        if (cidr == null) {
            throw ApiException.badRequest("cidr", "give the range to remove as ?cidr=");
        }
        if (!policies.removeSite(cidr, r.actor())) {
            throw ApiException.notFound("no site range " + cidr);
        }
        return ApiResponse.noContent();
    }

    private Object importCsv(ApiRequest r) throws Exception {
        String csv = r.body() == null ? "" : r.body();
        boolean dryRun = r.flag("dryRun", false);
        List<SiteRange> rows = policies.checkImport(csv);
        Map<String, SiteRange> current = policies.listSites().stream()
                .collect(Collectors.toMap(SiteRange::cidr, Function.identity()));
        List<SiteRange> added = new ArrayList<>();
        List<Map<String, Object>> changed = new ArrayList<>();
        int unchanged = 0;
        for (SiteRange row : rows) {
            SiteRange before = current.get(row.cidr());
            if (before == null) {
                added.add(row);
            } else if (before.equals(row)) {
                unchanged++;
            } else {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("cidr", row.cidr());
                c.put("from", before);
                c.put("to", row);
                changed.add(c);
            }
        }
        if (!dryRun) {
            policies.importSites(csv, r.actor());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("added", added);
        body.put("changed", changed);
        body.put("unchanged", unchanged);
        body.put("applied", !dryRun);
        return body;
    }
}
