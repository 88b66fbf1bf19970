package io.swarmgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmgate.console.Role;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
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

    private final PolicyService policies;

    public StreamResource(PolicyService policies) {
        this.policies = policies;
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/streams", Role.AUDITOR, r -> policies.listStreams().stream().map(StreamResource::view).toList(),
                        "List stream policies", null, "array of stream policies"),
                new Route("GET", "/streams/{id}", Role.AUDITOR, r -> view(policies.findStream(r.param("id"))
                        .orElseThrow(() -> ApiException.notFound("no stream policy " + r.param("id")))),
                        "One stream policy", null, "stream policy"),
                new Route("POST", "/streams", Role.OPERATOR, this::create, "Create a stream policy",
                        "stream policy (id required; tokenSecret: generate|none; allowAnyOrigin: true admits pages from any origin)", "the created policy"),
                new Route("PUT", "/streams/{id}", Role.OPERATOR, this::update,
                        "Change a stream policy (fields left out keep their value)", "stream policy fields",
                        "the changed policy"),
                new Route("DELETE", "/streams/{id}", Role.OPERATOR, this::delete, "Delete a stream policy", null, "204"));
    }

    private Object create(ApiRequest r) throws Exception {
        String id = r.string("id", 64);
        StreamPolicy base = StreamPolicy.validated(id, null, P2pMode.ON, Map.of(),
                policies.defaultPolicy().maxNeighbours(), false, List.of(), SecurityLevel.BASIC, List.of(),
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
                modes.put(e.getKey(), StreamPolicy.parseMode("siteModes", e.getValue().asText()));
            }
            siteModes = modes;
        }
        int max = p.maxNeighbours();
        if (j.has("maxNeighbours")) {
            if (!j.get("maxNeighbours").isInt()) {
                throw ApiException.badRequest("maxNeighbours", "maxNeighbours must be a whole number");
            }
            max = j.get("maxNeighbours").asInt();
        }
        boolean cellular = p.uploadOnCellular();
        if (j.has("uploadOnCellular")) {
            if (!j.get("uploadOnCellular").isBoolean()) {
                throw ApiException.badRequest("uploadOnCellular", "uploadOnCellular must be true or false");
            }
            cellular = j.get("uploadOnCellular").asBoolean();
        }
        List<String> origins = j.has("allowedOrigins") ? strings(j, "allowedOrigins") : p.allowedOrigins();
        if (j.has("allowedOrigins") && origins.contains(StreamPolicy.ANY_ORIGIN)) {
            throw ApiException.badRequest("allowedOrigins", "'*' is not an origin; set allowAnyOrigin: true to let"
                    + " pages from any origin join");
        }
        if (j.has("allowAnyOrigin")) {
            if (!j.get("allowAnyOrigin").isBoolean()) {
                throw ApiException.badRequest("allowAnyOrigin", "allowAnyOrigin must be true or false");
            }
            if (j.get("allowAnyOrigin").asBoolean()) {
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
                g.forEach(s -> group.add(s.asText()));
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
        return StreamPolicy.validated(p.id(), pattern, mode, siteModes, max, cellular, origins, level, groups, tokens,
                Instant.now());
    }

    /** A non-negative whole number field (seconds or a count). */
    private static long seconds(JsonNode j, String field) throws ApiException {
        JsonNode v = j.get(field);
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
            throw ApiException.badRequest(field, field + " must be a non-negative whole number");
        }
        return v.asLong();
    }

    private static String text(JsonNode j, String field, boolean nullable) throws ApiException {
        JsonNode v = j.get(field);
        if (v.isNull() && nullable) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string");
        }
        return nullable && v.asText().isBlank() ? null : v.asText();
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
        v.put("uploadOnCellular", p.uploadOnCellular());
        // allowedOrigins [] means the appliance's default origins; allowAnyOrigin marks the open, warned choice.
        v.put("allowedOrigins", p.allowsAnyOrigin() ? List.of() : p.allowedOrigins());
        v.put("allowAnyOrigin", p.allowsAnyOrigin());
        v.put("security", p.securityLevel().wire());
        v.put("siteGroups", p.siteGroups().stream().map(TreeSet::new).toList());
        v.put("tokenRequired", p.requiresToken());
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
