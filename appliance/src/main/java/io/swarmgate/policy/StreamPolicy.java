package io.swarmgate.policy;

import io.swarmgate.mesh.P2pMode;
import io.swarmgate.mesh.SwarmRules;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The rules for one stream, or for every stream whose manifest URL matches {@code urlPattern}.
 * Constructed only through {@link #validated}, so an instance is always consistent.
 *
 * @param urlPattern  manifest URL with {@code *} wildcards, or {@code null} to match the id only
 * @param siteModes   P2P mode overrides per site; sites not listed use {@code p2pMode}
 * @param allowedOrigins page origins allowed to join ({@code https://intranet.corp.example}); empty
 *                    means the appliance's default page origins (its own and
 *                    {@code security.intranet-origins}); exactly {@link #ANY_ORIGIN} admits pages
 *                    from anywhere (an explicit, warned choice)
 * @param siteGroups  sets of sites whose viewers may exchange segments; empty keeps every site
 *                    to itself
 * @param upload      who uploads and how much ({@link UploadRules})
 * @param tokens      viewer-token secret and limits; {@link TokenSettings#NONE} when tokens are not required
 * @param viewerParams query parameters of segment URLs that differ per viewer (tokens, signatures):
 *                    left out of a segment's identity so they never split the swarm; every other
 *                    parameter is part of it (docs/protocol.md, "Segment identity")
 */
public record StreamPolicy(String id, String urlPattern, P2pMode p2pMode, Map<String, P2pMode> siteModes,
                           int maxNeighbours, UploadRules upload, List<String> allowedOrigins,
                           SecurityLevel securityLevel, List<Set<String>> siteGroups, TokenSettings tokens,
                           Instant updatedAt, List<String> viewerParams) {

    public static final int DEFAULT_MAX_NEIGHBOURS = SwarmRules.DEFAULT_MAX_NEIGHBOURS;
    public static final int MAX_NEIGHBOURS_LIMIT = SwarmRules.MAX_DEGREE_LIMIT;
    /** The only entry of {@code allowedOrigins} of a policy that admits pages from any origin. */
    public static final String ANY_ORIGIN = "*";
    /** The form of a policy id, in the regular-expression syntax Java and ECMAScript share (the API documents it). */
    public static final String ID_PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";
    /** The form of a site name; likewise. */
    public static final String SITE_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}";
    /** The form of an allowed page origin; likewise. */
    public static final String ORIGIN_PATTERN = "https?://[A-Za-z0-9.-]+(:\\d{1,5})?|https?://\\[[0-9a-fA-F:]+\\](:\\d{1,5})?";
    public static final int MAX_URL_PATTERN = 2048;
    /**
     * The most text the allowed origins (comma separated) and the site groups ({@code a+b;c+d})
     * may take together, each: the size of their database columns.
     */
    public static final int MAX_LIST_TEXT = 4096;
    /**
     * Query parameters taken as per-viewer unless a policy says otherwise: the token and signature
     * parameters of common CDNs and URL signers (compared ignoring case).
     */
    public static final List<String> DEFAULT_VIEWER_PARAMS = List.of("token", "access_token", "auth", "authorization",
            "sig", "signature", "expires", "policy", "key-pair-id", "hdnts", "hdnea", "session", "sessionid");
    /** The form of a per-viewer query parameter name (the API documents it). */
    public static final String PARAM_PATTERN = "[A-Za-z0-9._~-]{1,64}";
    /** Per-viewer query parameters a policy may list. */
    public static final int MAX_VIEWER_PARAMS = 32;
    private static final Pattern PARAM = Pattern.compile(PARAM_PATTERN);
    private static final Pattern ID = Pattern.compile(ID_PATTERN);
    static final Pattern SITE = Pattern.compile(SITE_PATTERN);
    private static final Pattern ORIGIN = Pattern.compile(ORIGIN_PATTERN);

    public StreamPolicy {
        siteModes = Map.copyOf(siteModes);
        allowedOrigins = List.copyOf(allowedOrigins);
        siteGroups = siteGroups.stream().map(Set::copyOf).toList();
        viewerParams = List.copyOf(viewerParams);
    }

    /** A policy with the default per-viewer query parameters. */
    public StreamPolicy(String id, String urlPattern, P2pMode p2pMode, Map<String, P2pMode> siteModes,
                        int maxNeighbours, UploadRules upload, List<String> allowedOrigins,
                        SecurityLevel securityLevel, List<Set<String>> siteGroups, TokenSettings tokens,
                        Instant updatedAt) {
        this(id, urlPattern, p2pMode, siteModes, maxNeighbours, upload, allowedOrigins, securityLevel,
                siteGroups, tokens, updatedAt, DEFAULT_VIEWER_PARAMS);
    }

    /** {@link #validated(String, String, P2pMode, Map, int, UploadRules, List, SecurityLevel, List, TokenSettings, Instant, List)} with the default per-viewer query parameters. */
    public static StreamPolicy validated(String id, String urlPattern, P2pMode p2pMode, Map<String, P2pMode> siteModes,
                                         int maxNeighbours, UploadRules upload, List<String> allowedOrigins,
                                         SecurityLevel securityLevel, List<Set<String>> siteGroups,
                                         TokenSettings tokens, Instant updatedAt) {
        return validated(id, urlPattern, p2pMode, siteModes, maxNeighbours, upload, allowedOrigins,
                securityLevel, siteGroups, tokens, updatedAt, DEFAULT_VIEWER_PARAMS);
    }

    /** Checks every field and returns the policy; {@link PolicyException} names the first bad field. */
    public static StreamPolicy validated(String id, String urlPattern, P2pMode p2pMode, Map<String, P2pMode> siteModes,
                                         int maxNeighbours, UploadRules upload, List<String> allowedOrigins,
                                         SecurityLevel securityLevel, List<Set<String>> siteGroups,
                                         TokenSettings tokens, Instant updatedAt, List<String> viewerParams) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new PolicyException("id", "'" + id + "' must be 1-64 lower-case letters, digits, '.', '_' or '-'"
                    + " and start with a letter or digit");
        }
        if (urlPattern != null) {
            checkPattern(urlPattern);
        }
        if (maxNeighbours < 1 || maxNeighbours > MAX_NEIGHBOURS_LIMIT) {
            throw new PolicyException("max-neighbours", "must be between 1 and " + MAX_NEIGHBOURS_LIMIT
                    + " but is " + maxNeighbours);
        }
        for (String site : siteModes.keySet()) {
            checkSite("site-mode", site);
        }
        if (allowedOrigins.contains(ANY_ORIGIN) && allowedOrigins.size() > 1) {
            throw new PolicyException("allowed-origins", "'*' (any origin) cannot be combined with other origins");
        }
        for (String origin : allowedOrigins) {
            if (!ANY_ORIGIN.equals(origin) && !ORIGIN.matcher(origin).matches()) {
                throw new PolicyException("allowed-origins", "'" + origin
                        + "' is not an origin like https://intranet.corp.example[:port] (no path)");
            }
        }
        if (String.join(",", allowedOrigins).length() > MAX_LIST_TEXT) {
            throw new PolicyException("allowed-origins", "the origins take more than " + MAX_LIST_TEXT
                    + " characters together; list fewer (or use security.intranet-origins for all streams)");
        }
        if (siteGroups.stream().map(g -> String.join("+", g)).collect(Collectors.joining(";")).length()
                > MAX_LIST_TEXT) {
            throw new PolicyException("site-groups", "the site groups take more than " + MAX_LIST_TEXT
                    + " characters together");
        }
        for (Set<String> group : siteGroups) {
            if (group.size() < 2) {
                throw new PolicyException("site-groups", "a site group needs at least two sites: " + group);
            }
            for (String site : group) {
                checkSite("site-groups", site);
            }
        }
        upload.validate();
        tokens.validate();
        checkViewerParams(viewerParams);
        return new StreamPolicy(id, urlPattern, p2pMode, siteModes, maxNeighbours, upload,
                allowedOrigins.stream().map(o -> o.toLowerCase(java.util.Locale.ROOT)).toList(),
                securityLevel, siteGroups, tokens, updatedAt,
                viewerParams.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).distinct().toList());
    }

    private static void checkViewerParams(List<String> names) {
        if (names.size() > MAX_VIEWER_PARAMS) {
            throw new PolicyException("viewer-params", "lists " + names.size() + " parameters; at most "
                    + MAX_VIEWER_PARAMS + " are allowed");
        }
        for (String name : names) {
            if (name == null || !PARAM.matcher(name).matches()) {
                throw new PolicyException("viewer-params", "'" + name + "' is not a query parameter name"
                        + " (1-64 letters, digits, '.', '_', '~', '-')");
            }
        }
    }

    /** Parses a P2P mode as written in the CLI, API and database. */
    public static P2pMode parseMode(String field, String value) {
        return P2pMode.fromWire(value).orElseThrow(() -> new PolicyException(field,
                "must be on, download-only or off but is '" + value + "'"));
    }

    static void checkSite(String field, String site) {
        if (!SITE.matcher(site).matches()) {
            throw new PolicyException(field, "'" + site + "' is not a site name (1-64 letters, digits, '.', '_', ':', '/', '-')");
        }
    }

    private static void checkPattern(String pattern) {
        if (pattern.length() > MAX_URL_PATTERN) {
            throw new PolicyException("url-pattern", "is longer than " + MAX_URL_PATTERN + " characters");
        }
        try {
            URI uri = URI.create(pattern.replace("*", "x"));
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new PolicyException("url-pattern", "'" + pattern + "' must be an http(s) URL with '*' wildcards");
            }
        } catch (IllegalArgumentException e) {
            throw new PolicyException("url-pattern", "'" + pattern + "' is not a URL: " + e.getMessage());
        }
    }

    /** The P2P mode for viewers in {@code site}. */
    public P2pMode modeFor(String site) {
        return siteModes.getOrDefault(site, p2pMode);
    }

    /** Whether the admin chose to admit pages from any origin ({@code --allow-any-origin}). */
    public boolean allowsAnyOrigin() {
        return allowedOrigins.equals(List.of(ANY_ORIGIN));
    }

    /** Whether the policy leaves page origins to the appliance's defaults (its own and the intranet's). */
    public boolean usesDefaultOrigins() {
        return allowedOrigins.isEmpty();
    }

    public boolean requiresToken() {
        return tokens.required();
    }

    /** The current viewer-token secret, or null when tokens are not required. */
    public String tokenSecret() {
        return tokens.secret();
    }

    /** Whether {@code url} matches the pattern ({@code *} matches any run of characters). */
    public boolean matches(String url) {
        return urlPattern != null && globMatches(urlPattern, url);
    }

    static boolean globMatches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
