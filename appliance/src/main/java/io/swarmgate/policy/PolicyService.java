package io.swarmgate.policy;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.AuditEvent;
import io.swarmgate.audit.AuditLog;
import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.mesh.SiteMap;
import io.swarmgate.mesh.SiteRange;
import io.swarmgate.mesh.SwarmRules;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sites and stream policies: the one place every change goes through (CLI, control socket, later
 * the REST API), validated, stored in H2, and published as an immutable snapshot that signaling
 * reads without locks. Listeners hear about every committed change, so connected viewers get the
 * new policy at once. Every change is stored in one transaction with its audit entry, which holds
 * the state before and after (token secrets only as "set" or "none").
 */
public final class PolicyService {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);
    public static final String DEFAULT_POLICY_ID = "default";

    /**
     * Appliance-wide settings that shape every policy; from the configuration. {@code upload}: the
     * upload rules of the default policy, which streams matching no policy follow.
     */
    public record Defaults(int targetDegree, int maxNeighbours, int leadersPerSite, UploadRules upload) {

        /** The defaults the {@code mesh.*} configuration sets. */
        public static Defaults of(ApplianceConfig.Mesh mesh) {
            return new Defaults(mesh.targetDegree(), mesh.maxNeighbours(), mesh.leadersPerSite(),
                    new UploadRules(mesh.uploadOnCellular(), mesh.uploadOnWifi(), mesh.maxUploads(),
                            mesh.maxUploadKbps()));
        }
    }

    /** A stream reference resolved to its swarm and policy. {@code streamId} keys the swarm. */
    public record ResolvedStream(String streamId, StreamPolicy policy) {
    }

    private record Snapshot(SiteMap sites, Map<String, StreamPolicy> byId, List<StreamPolicy> byPattern) {
    }

    private final SiteRepository sites;
    private final StreamPolicyRepository policies;
    private final Defaults defaults;
    private final Clock clock;
    private final AuditLog audit;
    private final StreamPolicy defaultPolicy;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Held from checking a site change against the stored map until it is stored, so two changes cannot both pass. */
    private final Object siteWrites = new Object();
    private volatile Snapshot snapshot;
    /** What the snapshot was built from, to tell whether another appliance changed anything. Guarded by this. */
    private List<SiteRange> loadedSites = List.of();
    private List<StreamPolicy> loadedPolicies = List.of();

    public PolicyService(SiteRepository sites, StreamPolicyRepository policies, Defaults defaults, Clock clock,
                         AuditLog audit) throws SQLException {
        this.audit = audit;
        this.sites = sites;
        this.policies = policies;
        this.defaults = defaults;
        this.clock = clock;
        this.defaultPolicy = StreamPolicy.validated(DEFAULT_POLICY_ID, null, P2pMode.ON, Map.of(),
                defaults.maxNeighbours(), defaults.upload(), List.of(), SecurityLevel.BASIC, List.of(),
                TokenSettings.NONE, clock.instant());
        reload();
    }

    /** Re-reads sites and policies from the database and publishes them. */
    public synchronized void reload() throws SQLException {
        List<StreamPolicy> all = policies.list();
        List<SiteRange> ranges = sites.list();
        loadedSites = ranges;
        loadedPolicies = all;
        Map<String, StreamPolicy> byId = new java.util.HashMap<>();
        all.forEach(p -> byId.put(p.id(), p));
        List<StreamPolicy> byPattern = all.stream().filter(p -> p.urlPattern() != null)
                // The most specific pattern wins: longest first, then by id for a stable order.
                .sorted(Comparator.comparingInt((StreamPolicy p) -> -p.urlPattern().length()).thenComparing(StreamPolicy::id))
                .toList();
        snapshot = new Snapshot(SiteMap.of(ranges), Map.copyOf(byId), byPattern);
    }

    /**
     * Re-reads sites and policies and, when they differ from what this appliance last loaded
     * (another appliance sharing the database changed them), publishes them and tells the
     * listeners, exactly as a change made here does: connected viewers are re-checked.
     *
     * @return whether anything had changed
     */
    public boolean refresh() throws SQLException {
        List<SiteRange> ranges = sites.list();
        List<StreamPolicy> all = policies.list();
        synchronized (this) {
            if (ranges.equals(loadedSites) && all.equals(loadedPolicies)) {
                return false;
            }
        }
        changed();
        return true;
    }

    /** Logs at WARN every policy that admits pages from any origin; the appliance calls it at start-up. */
    public void warnAboutOpenPolicies() {
        for (StreamPolicy p : snapshot.byId().values()) {
            warnIfOpen(p);
        }
    }

    private static void warnIfOpen(StreamPolicy p) {
        if (p.allowsAnyOrigin()) {
            LOG.warn("policy - stream {} admits pages from ANY origin (--allow-any-origin): any page a viewer opens"
                    + " can join it; restrict it with 'swarmgate stream set {} --clear-origins'", p.id(), p.id());
        }
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    private void changed() throws SQLException {
        reload();
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warn("policy - change listener failed", e);
            }
        }
    }

    public SiteMap siteMap() {
        return snapshot.sites();
    }

    public StreamPolicy defaultPolicy() {
        return defaultPolicy;
    }

    /**
     * Resolves what a viewer's {@code hello} names: a policy id, else a manifest URL matched against
     * the patterns (query and fragment ignored, since tokens often travel there), else the default
     * policy. The swarm is the policy id for an id match, otherwise the normalised URL, so every
     * viewer of one manifest meets in one swarm.
     */
    public ResolvedStream resolve(String stream) {
        Snapshot s = snapshot;
        StreamPolicy byId = s.byId().get(stream);
        if (byId != null) {
            return new ResolvedStream(byId.id(), byId);
        }
        String url = normalise(stream);
        for (StreamPolicy p : s.byPattern()) {
            if (p.matches(url)) {
                return new ResolvedStream(url, p);
            }
        }
        return new ResolvedStream(url, defaultPolicy);
    }

    static String normalise(String stream) {
        int cut = stream.length();
        for (char c : new char[] {'?', '#'}) {
            int i = stream.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        String url = stream.substring(0, cut);
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() != null && uri.getHost() != null) {
                return uri.getScheme().toLowerCase() + "://" + uri.getHost().toLowerCase()
                        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + uri.getRawPath();
            }
        } catch (IllegalArgumentException e) {
            // not a URL: an opaque stream name, used as it is
        }
        return url;
    }

    /** The coordinator's view of the policy governing {@code streamId}. */
    public SwarmRules rulesFor(String streamId) {
        return rules(resolve(streamId).policy());
    }

    public SwarmRules rules(StreamPolicy p) {
        int max = p.maxNeighbours();
        return new SwarmRules(Math.min(defaults.targetDegree(), max), max, p.p2pMode(), p.siteModes(),
                new HashSet<>(p.siteGroups()), p.upload().onCellular(), p.upload().onWifi(), defaults.leadersPerSite());
    }

    // --- sites ---------------------------------------------------------------------------------

    public List<SiteRange> listSites() throws SQLException {
        return sites.list();
    }

    public void addSite(SiteRange range, Actor actor) throws SQLException {
        SiteCsv.validate(range);
        synchronized (siteWrites) {
            checkMerged(List.of(range));
            audit.transaction(c -> {
                Optional<SiteRange> before = sites.find(c, range.cidr());
                sites.upsert(c, range, clock.instant());
                return audit.append(c, AuditEvent.success(actor, "site.saved", range.cidr())
                        .with("before", before.orElse(null)).with("after", range));
            });
        }
        LOG.info("policy - site range {} -> {} saved", range.cidr(), range.site());
        changed();
    }

    public boolean removeSite(String cidr, Actor actor) throws SQLException {
        boolean removed = audit.transaction(c -> {
            Optional<SiteRange> before = sites.find(c, cidr);
            if (before.isEmpty() || !sites.remove(c, cidr)) {
                return false;
            }
            audit.append(c, AuditEvent.success(actor, "site.removed", cidr).with("before", before.get()));
            return true;
        });
        if (removed) {
            LOG.info("policy - site range {} removed", cidr);
            changed();
        }
        return removed;
    }

    /**
     * The ranges of a sites CSV, checked as {@link #importSites} would check them but without
     * storing anything (an import's preview).
     */
    public List<SiteRange> checkImport(String csv) throws SQLException {
        List<SiteRange> ranges = SiteCsv.parse(csv);
        checkMerged(ranges);
        return ranges;
    }

    /**
     * Imports a sites CSV: every line valid, or nothing changes ({@link SiteCsv.CsvException}).
     * The audit entry lists the ranges added and changed (before and after).
     */
    public int importSites(String csv, Actor actor) throws SQLException {
        List<SiteRange> ranges = SiteCsv.parse(csv);
        synchronized (siteWrites) {
            checkMerged(ranges);
            audit.transaction(c -> {
                SiteImportAudit entry = new SiteImportAudit();
                Instant now = clock.instant();
                for (SiteRange r : ranges) {
                    entry.saw(sites.find(c, r.cidr()), r);
                    sites.upsert(c, r, now);
                }
                return audit.append(c, entry.event(actor, ranges.size()));
            });
        }
        LOG.info("policy - imported {} site range(s)", ranges.size());
        changed();
        return ranges.size();
    }

    /**
     * Refuses ranges that would leave the stored map unbuildable: the same block under another
     * spelling ({@code 2001:DB8::/32} beside {@code 2001:db8::/32}) is a different row to the
     * database but the same key to the site map, which would then fail at every reload and start.
     */
    private void checkMerged(List<SiteRange> incoming) throws SQLException {
        Map<String, SiteRange> merged = new LinkedHashMap<>();
        sites.list().forEach(r -> merged.put(r.cidr(), r));
        incoming.forEach(r -> merged.put(r.cidr(), r));
        try {
            SiteMap.of(List.copyOf(merged.values()));
        } catch (IllegalArgumentException e) {
            throw new PolicyException("cidr", e.getMessage());
        }
    }

    public String exportSites() throws SQLException {
        return SiteCsv.format(sites.list());
    }

    // --- stream policies -----------------------------------------------------------------------

    public List<StreamPolicy> listStreams() throws SQLException {
        return policies.list();
    }

    public Optional<StreamPolicy> findStream(String id) {
        return Optional.ofNullable(snapshot.byId().get(id));
    }

    public void addStream(StreamPolicy policy, Actor actor) throws SQLException {
        if (DEFAULT_POLICY_ID.equals(policy.id())) {
            throw new PolicyException("id", "'default' is reserved for streams that match no policy");
        }
        if (snapshot.byId().containsKey(policy.id())) {
            throw new PolicyException("id", "a stream policy '" + policy.id() + "' exists; change it with 'stream set'");
        }
        audit.transaction(c -> {
            policies.save(c, policy, true);
            return audit.append(c, AuditEvent.success(actor, "stream.created", policy.id())
                    .with("after", audited(policy)));
        });
        LOG.info("policy - stream {} added", policy.id());
        warnIfOpen(policy);
        changed();
    }

    /**
     * Applies {@code change} to the stored policy; the result is validated again before it is saved.
     * A new token secret replacing another starts a rotation now: the previous secret stays
     * accepted for the policy's rotation grace, whatever {@code change} says about it.
     */
    public StreamPolicy updateStream(String id, UnaryOperator<StreamPolicy> change, Actor actor) throws SQLException {
        StreamPolicy current = findStream(id).orElseThrow(() -> new PolicyException("id", "no stream policy '" + id + "'"));
        StreamPolicy c = change.apply(current);
        Instant now = clock.instant();
        TokenSettings tokens = current.tokens().withSecret(c.tokenSecret(), now).withLimits(c.tokens().maxLifetime(),
                c.tokens().rotationGrace(), c.tokens().maxViewersPerToken());
        StreamPolicy next = StreamPolicy.validated(id, c.urlPattern(), c.p2pMode(), c.siteModes(), c.maxNeighbours(),
                c.upload(), c.allowedOrigins(), c.securityLevel(), c.siteGroups(), tokens, now, c.viewerParams());
        audit.transaction(tx -> {
            policies.save(tx, next, false);
            return audit.append(tx, AuditEvent.success(actor, "stream.changed", id)
                    .with("before", audited(current)).with("after", audited(next))
                    .with("tokenSecretChanged", !java.util.Objects.equals(current.tokenSecret(), next.tokenSecret())));
        });
        LOG.info("policy - stream {} changed", id);
        if (now.equals(tokens.rotatedAt())) {
            LOG.info("policy - stream {} has a new token secret; tokens of the previous one are accepted until {}",
                    id, tokens.graceEnds());
        }
        warnIfOpen(next);
        changed();
        return next;
    }

    public boolean removeStream(String id, Actor actor) throws SQLException {
        Optional<StreamPolicy> before = findStream(id);
        boolean removed = audit.transaction(c -> {
            if (!policies.delete(c, id)) {
                return false;
            }
            audit.append(c, AuditEvent.success(actor, "stream.removed", id)
                    .with("before", before.map(PolicyService::audited).orElse(null)));
            return true;
        });
        if (removed) {
            LOG.info("policy - stream {} removed", id);
            changed();
        }
        return removed;
    }

    /** A policy as its audit entries show it: everything but the token secrets themselves. */
    static Map<String, Object> audited(StreamPolicy p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("urlPattern", p.urlPattern());
        v.put("p2p", p.p2pMode().wire());
        Map<String, String> modes = new TreeMap<>();
        p.siteModes().forEach((site, mode) -> modes.put(site, mode.wire()));
        v.put("siteModes", modes);
        v.put("maxNeighbours", p.maxNeighbours());
        v.put("uploadOnCellular", p.upload().onCellular());
        v.put("uploadOnWifi", p.upload().onWifi());
        v.put("maxUploads", p.upload().maxUploads());
        v.put("maxUploadKbps", p.upload().maxUploadKbps());
        v.put("allowedOrigins", p.allowedOrigins());
        v.put("security", p.securityLevel().wire());
        v.put("siteGroups", p.siteGroups().stream().map(g -> new ArrayList<>(new TreeSet<>(g))).toList());
        v.put("tokenSecret", p.tokenSecret() == null ? "none" : "set");
        v.put("tokenMaxLifetimeSeconds", p.tokens().maxLifetime().toSeconds());
        v.put("tokenRotationGraceSeconds", p.tokens().rotationGrace().toSeconds());
        v.put("maxViewersPerToken", p.tokens().maxViewersPerToken());
        v.put("viewerParams", p.viewerParams());
        return v;
    }
}
