package io.swarmgate.api;

import io.swarmgate.console.Role;
import io.swarmgate.mesh.SiteRange;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SiteCsv;
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

    private final PolicyService policies;

    public SiteResource(PolicyService policies) {
        this.policies = policies;
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/sites", Role.AUDITOR, r -> policies.listSites(), "List site ranges", null,
                        "array of {cidr, site, label}"),
                new Route("POST", "/sites", Role.OPERATOR, this::add, "Add or change a site range",
                        "{cidr, site, label?}", "the range"),
                new Route("DELETE", "/sites", Role.OPERATOR, this::remove, "Remove the range given as ?cidr=", null, "204"),
                new Route("GET", "/sites/export", Role.AUDITOR,
                        r -> ApiResponse.text(policies.exportSites(), "text/csv; charset=utf-8", "sites.csv"),
                        "Export site ranges as CSV (cidr,site,label)", null, "text/csv"),
                new Route("POST", "/sites/import", Role.OPERATOR, this::importCsv,
                        "Import a CSV of site ranges; ?dryRun=true previews the changes without applying them",
                        "text/csv", "{added, changed, unchanged, applied}"));
    }

    private Object add(ApiRequest r) throws Exception {
        String label = r.optionalString("label", 200);
        SiteRange range = new SiteRange(r.string("cidr", 64), r.string("site", 64), label == null ? "" : label);
        try {
            policies.addSite(range, r.actor());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cidr", e.getMessage());
        }
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
        List<SiteRange> rows = SiteCsv.parse(csv);
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
        boolean dryRun = "true".equals(r.query("dryRun"));
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
