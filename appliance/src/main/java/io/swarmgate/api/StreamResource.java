package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.console.Role;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.policy.UploadRules;
import io.swarmgate.policy.ViewerTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code /streams}: stream policies. The token secret is returned only in the response that
 * generated it; listings say whether tokens are required.
 */
public final class StreamResource {

    static final Schema ID = Schema.string(64).pattern(StreamPolicy.ID_PATTERN)
            .describe("1-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
            .example("townhall");
    private static final Schema MODE = Schema.oneOf(List.of("on", "download-only", "off"));
    private static final Schema SECURITY = Schema.oneOf(List.of("basic", "intermediate"));
    private static final Schema SITE_GROUPS = Schema.arrayOf(Schema.arrayOf(SiteResource.SITE).minItems(2))
            .describe("sets of sites whose viewers may exchange segments; [] keeps every site to itself");
    private static final Schema POLICY = Schema.object()
            .required("id", Schema.string())
            .required("urlPattern", Schema.string().nullable().describe("null: the policy matches its id only"))
            .required("p2p", MODE)
            .required("siteModes", Schema.mapOf(MODE))
            .required("maxNeighbours", Schema.integer())
            .required("uploadOnCellular", Schema.bool())
            .required("uploadOnWifi", Schema.bool())
            .required("maxUploads", Schema.integer().describe("segments one viewer uploads at the same time"))
            .required("maxUploadKbps", Schema.integer().describe("what one viewer uploads at most, kbit/s"))
            .required("allowedOrigins", Schema.arrayOf(Schema.string())
                    .describe("[]: the appliance's default origins (or any origin with allowAnyOrigin)"))
            .required("allowAnyOrigin", Schema.bool())
            .required("security", SECURITY)
            .required("siteGroups", Schema.arrayOf(Schema.arrayOf(Schema.string())))
            .required("tokenRequired", Schema.bool())
            .required("tokenMaxLifetimeSeconds", Schema.integer())
            .required("tokenRotationGraceSeconds", Schema.integer())
            .required("maxViewersPerToken", Schema.integer().describe("0: no limit"))
            .required("previousTokenSecretAcceptedUntil", Schema.instant().nullable())
            .required("viewerParams", Schema.arrayOf(Schema.string())
                    .describe("query parameters left out of a segment's identity (per-viewer tokens, signatures)"))
            .required("updatedAt", Schema.instant())
            .named("StreamPolicy");
    /** Fields a client may set; on PUT, fields left out keep their value. */
    private static final Schema CHANGES = Schema.object()
            .optional("urlPattern", Schema.string(StreamPolicy.MAX_URL_PATTERN)
                    .describe("manifest URL with * wildcards; \"\" for none (the policy then matches its id only)")
                    .example("https://video.corp.example/live/townhall/*"))
            .optional("p2p", MODE)
            .optional("siteModes", Schema.mapOf(MODE).describe("site name → P2P mode, overriding p2p"))
            .optional("maxNeighbours", Schema.integer(1, StreamPolicy.MAX_NEIGHBOURS_LIMIT))
            .optional("uploadOnCellular", Schema.bool().describe("whether viewers on cellular networks upload"))
            .optional("uploadOnWifi", Schema.bool().describe("whether viewers on Wi-Fi upload"))
            .optional("maxUploads", Schema.integer(1, UploadRules.MAX_UPLOADS_LIMIT)
                    .describe("segments one viewer uploads at the same time (default 4)"))
            .optional("maxUploadKbps", Schema.integer(UploadRules.MIN_UPLOAD_KBPS, UploadRules.MAX_UPLOAD_KBPS_LIMIT)
                    .describe("what one viewer uploads at most, kbit/s (default 20000); a viewer also stays"
                            + " within the upload rate it measured"))
            .optional("allowedOrigins", Schema.arrayOf(Schema.string(StreamPolicy.MAX_LIST_TEXT)
                    .pattern(StreamPolicy.ORIGIN_PATTERN).example("https://intranet.corp.example")
                    .describe("an origin like https://intranet.corp.example[:port], no path; for any origin set"
                            + " allowAnyOrigin")).describe("page origins that may join; [] for the appliance's defaults"))
            .optional("allowAnyOrigin", Schema.bool().describe("true admits pages from any origin (logged at WARN)"))
            .optional("security", SECURITY)
            .optional("siteGroups", SITE_GROUPS)
            .optional("tokenSecret", Schema.oneOf(List.of("generate", "none"))
                    .describe("generate: require viewer tokens with a new secret (shown once); none: stop requiring them"))
            .optional("tokenMaxLifetimeSeconds", Schema.integer(60, TokenSettings.MAX_LIFETIME_LIMIT.toSeconds()))
            .optional("tokenRotationGraceSeconds", Schema.integer(0, TokenSettings.ROTATION_GRACE_LIMIT.toSeconds()))
            .optional("maxViewersPerToken", Schema.integer(0, TokenSettings.MAX_VIEWERS_PER_TOKEN_LIMIT))
            .optional("viewerParams", Schema.arrayOf(Schema.string(64).pattern(StreamPolicy.PARAM_PATTERN)
                    .example("token").describe("1-64 letters, digits, '.', '_', '~', '-'")).maxItems(StreamPolicy.MAX_VIEWER_PARAMS)
                    .describe("query parameters of segment URLs that differ per viewer; every other parameter is"
                            + " part of a segment's identity"));
    private static final Schema POLICY_WITH_SECRET = POLICY.optional("tokenSecret", Schema.string()
            .describe("only when this call generated a secret, shown this once")).named("StreamPolicyWithSecret");

    private final PolicyService policies;

    public StreamResource(PolicyService policies) {
        this.policies = policies;
    }

    private StreamPolicy find(String id) throws ApiException {
        if (PolicyService.DEFAULT_POLICY_ID.equals(id)) {
            return policies.defaultPolicy();
        }
        return policies.findStream(id).orElseThrow(() -> ApiException.notFound("no stream policy " + id));
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/streams", Role.AUDITOR, "List stream policies",
                                r -> policies.listStreams().stream().map(StreamResource::view).toList())
                        .returns(200, "the policies", Schema.arrayOf(POLICY)),
                Route.get("/streams/{id}", Role.AUDITOR, "One stream policy; 'default' is the policy of streams that"
                                + " match none (from the appliance's mesh.* settings), where a new policy's fields start",
                                r -> view(find(r.param("id"))))
                        .path("id", ID, "the policy, or 'default'")
                        .returns(200, "the policy", POLICY)
                        .fails(404, "no such policy", "not_found"),
                Route.post("/streams", Role.OPERATOR, "Create a stream policy", this::create)
                        .json(CHANGES.required("id", ID))
                        .returns(201, "the created policy, with tokenSecret when one was generated", POLICY_WITH_SECRET)
                        .fails(400, "the id is taken or reserved", "invalid_field"),
                Route.put("/streams/{id}", Role.OPERATOR, "Change a stream policy (fields left out keep their value)",
                                this::update)
                        .path("id", ID, "the policy")
                        .json(CHANGES)
                        .returns(200, "the changed policy, with tokenSecret when one was generated", POLICY_WITH_SECRET)
                        .fails(404, "no such policy", "not_found"),
                Route.delete("/streams/{id}", Role.OPERATOR, "Delete a stream policy", this::delete)
                        .path("id", ID, "the policy")
                        .returnsNothing("deleted")
                        .fails(404, "no such policy", "not_found"));
    }

    private Object create(ApiRequest r) throws Exception {
        String id = r.string("id", 64);
        StreamPolicy base = StreamPolicy.validated(id, null, P2pMode.ON, Map.of(),
                policies.defaultPolicy().maxNeighbours(), UploadRules.DEFAULT, List.of(), SecurityLevel.BASIC, List.of(),
                TokenSettings.NONE, Instant.now());
        Map<String, Object> secret = new HashMap<>();
        StreamPolicy created = apply(base, r.json(), secret);
        policies.addStream(created, r.actor());
        Map<String, Object> body = view(created);
        body.putAll(secret);
        return ApiResponse.json(201, body);
    }

    private Object update(ApiRequest r) throws Exception {
        Map<String, Object> secret = new HashMap<>();
        JsonNode json = r.json();
        if (policies.findStream(r.param("id")).isEmpty()) {
            throw ApiException.notFound("no stream policy " + r.param("id"));
        }
        StreamPolicy changed = policies.updateStream(r.param("id"), p -> {
            try {
                return apply(p, json, secret);
            } catch (ApiException e) {
                throw new io.swarmgate.policy.PolicyException(e.field(), e.getMessage());
            }
        }, r.actor());
        Map<String, Object> body = view(changed);
        body.putAll(secret);
        return body;
    }

    private Object delete(ApiRequest r) throws Exception {
        if (!policies.removeStream(r.param("id"), r.actor())) {
            throw ApiException.notFound("no stream policy " + r.param("id"));
        }
        return ApiResponse.noContent();
    }

    /** Applies the JSON fields present to {@code p}; validation happens in StreamPolicy.validated. */
    static StreamPolicy apply(StreamPolicy p, JsonNode j, Map<String, Object> secretOut) throws ApiException {
        String pattern = j.has("urlPattern") ? text(j, "urlPattern", true) : p.urlPattern();
        P2pMode mode = j.has("p2p") ? StreamPolicy.parseMode("p2p", text(j, "p2p", false)) : p.p2pMode();
        Map<String, P2pMode> siteModes = p.siteModes();
        if (j.has("siteModes")) {
            JsonNode m = j.get("siteModes");
            if (!m.isObject()) {
                throw ApiException.badRequest("siteModes", "siteModes must be an object of site → mode");
            }
            Map<String, P2pMode> modes = new HashMap<>();
            var it = m.fields();
            while (it.hasNext()) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw ApiException.badRequest("siteModes", "siteModes." + e.getKey() + " must be a string");
                }
                modes.put(e.getKey(), StreamPolicy.parseMode("siteModes", e.getValue().asText()));
            }
            siteModes = modes;
        }
        int max = j.has("maxNeighbours") ? whole(j, "maxNeighbours") : p.maxNeighbours();
        UploadRules upload = p.upload();
        if (j.has("uploadOnCellular")) {
            upload = upload.withOnCellular(bool(j, "uploadOnCellular"));
        }
        if (j.has("uploadOnWifi")) {
            upload = upload.withOnWifi(bool(j, "uploadOnWifi"));
        }
        if (j.has("maxUploads")) {
            upload = upload.withMaxUploads(whole(j, "maxUploads"));
        }
        if (j.has("maxUploadKbps")) {
            upload = upload.withMaxUploadKbps(whole(j, "maxUploadKbps"));
        }
        List<String> origins = j.has("allowedOrigins") ? strings(j, "allowedOrigins") : p.allowedOrigins();
        if (j.has("allowedOrigins") && origins.contains(StreamPolicy.ANY_ORIGIN)) {
            throw ApiException.badRequest("allowedOrigins", "'*' is not an origin; set allowAnyOrigin: true to let"
                    + " pages from any origin join");
        }
        if (j.has("allowAnyOrigin")) {
            if (bool(j, "allowAnyOrigin")) {
                if (j.has("allowedOrigins") && !origins.isEmpty()) {
                    throw ApiException.badRequest("allowAnyOrigin", "allowAnyOrigin and allowedOrigins exclude each other");
                }
                origins = List.of(StreamPolicy.ANY_ORIGIN);
            } else if (p.allowsAnyOrigin() && !j.has("allowedOrigins")) {
                origins = List.of();
            }
        } else if (p.allowsAnyOrigin() && origins.isEmpty()) {
            // The view shows an open policy as allowedOrigins [] + allowAnyOrigin true; a client that
            // sends the list back unchanged keeps it open. Closing it takes allowAnyOrigin: false.
            origins = List.of(StreamPolicy.ANY_ORIGIN);
        }
        SecurityLevel level = j.has("security") ? SecurityLevel.parse("security", text(j, "security", false))
                : p.securityLevel();
        List<Set<String>> groups = p.siteGroups();
        if (j.has("siteGroups")) {
            if (!j.get("siteGroups").isArray()) {
                throw ApiException.badRequest("siteGroups", "siteGroups must be an array of arrays of site names");
            }
            groups = new ArrayList<>();
            for (JsonNode g : j.get("siteGroups")) {
                if (!g.isArray()) {
                    throw ApiException.badRequest("siteGroups", "siteGroups must be an array of arrays of site names");
                }
                Set<String> group = new LinkedHashSet<>();
                for (JsonNode site : g) {
                    if (!site.isTextual()) {
                        throw ApiException.badRequest("siteGroups", "siteGroups must be an array of arrays of site names");
                    }
                    group.add(site.asText());
                }
                groups.add(group);
            }
        }
        TokenSettings tokens = p.tokens().withLimits(
                j.has("tokenMaxLifetimeSeconds") ? Duration.ofSeconds(seconds(j, "tokenMaxLifetimeSeconds"))
                        : p.tokens().maxLifetime(),
                j.has("tokenRotationGraceSeconds") ? Duration.ofSeconds(seconds(j, "tokenRotationGraceSeconds"))
                        : p.tokens().rotationGrace(),
                j.has("maxViewersPerToken") ? (int) seconds(j, "maxViewersPerToken") : p.tokens().maxViewersPerToken());
        if (j.has("tokenSecret")) {
            String t = text(j, "tokenSecret", false);
            if ("generate".equals(t)) {
                String secret = ViewerTokens.newSecret();
                secretOut.put("tokenSecret", secret);
                tokens = tokens.withSecret(secret, Instant.now());
            } else if ("none".equals(t)) {
                tokens = tokens.withSecret(null, Instant.now());
            } else {
                throw ApiException.badRequest("tokenSecret", "tokenSecret must be 'generate' or 'none'");
            }
        }
        List<String> viewerParams = j.has("viewerParams") ? strings(j, "viewerParams") : p.viewerParams();
        return StreamPolicy.validated(p.id(), pattern, mode, siteModes, max, upload, origins, level, groups, tokens,
                Instant.now(), viewerParams);
    }

    private static boolean bool(JsonNode j, String field) throws ApiException {
        if (!j.get(field).isBoolean()) {
            throw ApiException.badRequest(field, field + " must be true or false");
        }
        return j.get(field).asBoolean();
    }

    /** A whole-number field; its range is checked by StreamPolicy.validated, which names the field. */
    private static int whole(JsonNode j, String field) throws ApiException {
        if (!j.get(field).isInt()) {
            throw ApiException.badRequest(field, field + " must be a whole number");
        }
        return j.get(field).asInt();
    }

    /** A non-negative whole number field (seconds or a count). */
    private static long seconds(JsonNode j, String field) throws ApiException {
        JsonNode v = j.get(field);
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
            throw ApiException.badRequest(field, field + " must be a non-negative whole number");
        }
        return v.asLong();
    }

    /**
     * A string field. With {@code blankIsNone}, "" (or blanks) clears the value and answers null;
     * JSON null is refused like any other non-string, so that a client's null is never guessed at.
     */
    private static String text(JsonNode j, String field, boolean blankIsNone) throws ApiException {
        JsonNode v = j.get(field);
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string" + (blankIsNone ? " (\"\" for none)" : ""));
        }
        return blankIsNone && v.asText().isBlank() ? null : v.asText();
    }

    private static List<String> strings(JsonNode j, String field) throws ApiException {
        JsonNode v = j.get(field);
        if (!v.isArray()) {
            throw ApiException.badRequest(field, field + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual()) {
                throw ApiException.badRequest(field, field + " must be an array of strings");
            }
            out.add(s.asText());
        }
        return out;
    }

    static Map<String, Object> view(StreamPolicy p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", p.id());
        v.put("urlPattern", p.urlPattern());
        v.put("p2p", p.p2pMode().wire());
        Map<String, String> modes = new LinkedHashMap<>();
        new TreeSet<>(p.siteModes().keySet()).forEach(s -> modes.put(s, p.siteModes().get(s).wire()));
        v.put("siteModes", modes);
        v.put("maxNeighbours", p.maxNeighbours());
        v.put("uploadOnCellular", p.upload().onCellular());
        v.put("uploadOnWifi", p.upload().onWifi());
        v.put("maxUploads", p.upload().maxUploads());
        v.put("maxUploadKbps", p.upload().maxUploadKbps());
        // allowedOrigins [] means the appliance's default origins; allowAnyOrigin marks the open, warned choice.
        v.put("allowedOrigins", p.allowsAnyOrigin() ? List.of() : p.allowedOrigins());
        v.put("allowAnyOrigin", p.allowsAnyOrigin());
        v.put("security", p.securityLevel().wire());
        v.put("siteGroups", p.siteGroups().stream().map(TreeSet::new).toList());
        v.put("tokenRequired", p.requiresToken());
        v.put("viewerParams", p.viewerParams());
        v.put("tokenMaxLifetimeSeconds", p.tokens().maxLifetime().toSeconds());
        v.put("tokenRotationGraceSeconds", p.tokens().rotationGrace().toSeconds());
        v.put("maxViewersPerToken", p.tokens().maxViewersPerToken());
        Instant graceEnds = p.tokens().graceEnds();
        v.put("previousTokenSecretAcceptedUntil", graceEnds != null && graceEnds.isAfter(Instant.now())
                ? graceEnds.toString() : null);
        v.put("updatedAt", p.updatedAt().toString());
        return v;
    }
}
