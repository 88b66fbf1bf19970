package io.swarmgate.cli;

import io.swarmgate.control.AdminContext;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.PolicyException;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
import io.swarmgate.policy.TokenSettings;
import io.swarmgate.policy.UploadRules;
import io.swarmgate.policy.ViewerTokens;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swarmgate stream add|set|list|remove|token}: per-stream policies. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Stream policies: which streams may use the mesh, where, and who may join.",
            "A viewer's stream matches a policy by id, else by the longest matching manifest URL pattern;",
            "streams matching nothing get the default policy (P2P on, basic security, default page origins)."},
        subcommands = {StreamCommand.Add.class, StreamCommand.SetPolicy.class, StreamCommand.ListStreams.class,
            StreamCommand.Remove.class, StreamCommand.Token.class})
public final class StreamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, set, list, remove or token");
    }

    /** Policy fields; on {@code set} only the options given change. */
    static final class PolicyOptions {
        @Option(names = "--url-pattern", paramLabel = "URL",
                description = "Manifest URL with * wildcards, e.g. https://video.corp.example/live/townhall/*")
        String urlPattern;

        @Option(names = "--p2p", paramLabel = "MODE", description = "on, download-only or off (default on).")
        String p2p;

        @Option(names = "--site-mode", paramLabel = "SITE=MODE",
                description = "P2P mode for one site, e.g. --site-mode branch-lyon=off (repeatable).")
        List<String> siteModes;

        @Option(names = "--max-neighbours", paramLabel = "N", description = "Cap on neighbours per viewer (default 10).")
        Integer maxNeighbours;

        @Option(names = "--upload-on-cellular", paramLabel = "BOOL", arity = "1",
                description = "Whether viewers on cellular networks upload (default false).")
        Boolean uploadOnCellular;

        @Option(names = "--upload-on-wifi", paramLabel = "BOOL", arity = "1",
                description = "Whether viewers on Wi-Fi upload (default true).")
        Boolean uploadOnWifi;

        @Option(names = "--max-uploads", paramLabel = "N",
                description = "Segments one viewer uploads at the same time (default 4; 1 to 64).")
        Integer maxUploads;

        @Option(names = "--max-upload-kbps", paramLabel = "KBPS",
                description = {"What one viewer uploads at most, kbit/s (default 20000; 100 to 10000000).",
                    "A viewer also stays within the upload rate it measured."})
        Integer maxUploadKbps;

        @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
                description = {"Page origin allowed to join, e.g. https://intranet.corp.example (repeatable).",
                    "Without any, the appliance's own pages and security.intranet-origins may join."})
        List<String> origins;

        @Option(names = "--allow-any-origin",
                description = "Let pages from ANY origin join (not recommended; logged at WARN at every start).")
        boolean allowAnyOrigin;

        @Option(names = "--security", paramLabel = "LEVEL",
                description = "basic (anyone with the URL) or intermediate (trusted networks only; sites stay apart).")
        String security;

        @Option(names = "--site-group", paramLabel = "SITE,SITE[,…]",
                description = "Sites whose viewers may exchange video with each other (repeatable).")
        List<String> siteGroups;

        @Option(names = "--token-secret", paramLabel = "generate|none",
                description = {"Require viewer tokens (HS256 JWTs) with a new secret (printed once), or stop requiring them.",
                    "Replacing a secret keeps the previous one valid for --token-rotation-grace."})
        String tokenSecret;

        @Option(names = "--token-max-lifetime", paramLabel = "DURATION",
                description = "Longest lifetime (exp - iat) of a viewer token, e.g. 4h (default 24h; 1m to 366d).")
        String tokenMaxLifetime;

        @Option(names = "--token-rotation-grace", paramLabel = "DURATION",
                description = {"After --token-secret generate replaces a secret, how long tokens of the previous one",
                    "still admit and keep viewers, e.g. 5m (default 60s; 0s to 24h)."})
        String tokenRotationGrace;

        @Option(names = "--max-viewers-per-token", paramLabel = "N",
                description = "Connected viewers one token may admit at a time (default 0: no limit).")
        Integer maxViewersPerToken;

        @Option(names = "--clear-site-modes", description = "Remove every per-site mode.")
        boolean clearSiteModes;

        @Option(names = "--clear-origins",
                description = "Back to the default page origins: the appliance's own and security.intranet-origins.")
        boolean clearOrigins;

        @Option(names = "--clear-site-groups", description = "Keep every site to itself again.")
        boolean clearSiteGroups;

        @Option(names = "--viewer-params", paramLabel = "NAMES",
                description = "Query parameters of segment URLs that differ per viewer (comma separated, replaces"
                        + " the list; \"\" for none): left out of a segment's identity. Default: "
                        + "token, access_token, auth, authorization, sig, signature, expires, policy, key-pair-id,"
                        + " hdnts, hdnea, session, sessionid.")
        String viewerParams;

        StreamPolicy applyTo(StreamPolicy p, PrintWriter out) {
            Map<String, P2pMode> modes = clearSiteModes ? new HashMap<>() : new HashMap<>(p.siteModes());
            if (siteModes != null) {
                for (String entry : siteModes) {
                    int eq = entry.indexOf('=');
                    if (eq <= 0) {
                        throw new PolicyException("site-mode", "'" + entry + "' must be SITE=MODE");
                    }
                    modes.put(entry.substring(0, eq), StreamPolicy.parseMode("site-mode", entry.substring(eq + 1)));
                }
            }
            List<String> allowed = clearOrigins ? List.of() : p.allowedOrigins();
            if (origins != null) {
                if (origins.contains(StreamPolicy.ANY_ORIGIN)) {
                    throw new PolicyException("allowed-origins", "'*' is not an origin; to let pages from any origin"
                            + " join, use --allow-any-origin");
                }
                if (allowAnyOrigin) {
                    throw new PolicyException("allowed-origins", "--allow-any-origin and --allowed-origin exclude each other");
                }
                List<String> merged = new ArrayList<>(p.allowsAnyOrigin() ? List.of() : allowed);
                origins.stream().filter(o -> !merged.contains(o)).forEach(merged::add);
                allowed = merged;
            } else if (allowAnyOrigin) {
                allowed = List.of(StreamPolicy.ANY_ORIGIN);
                out.println("Warning: pages from ANY origin may now join stream " + p.id()
                        + "; every start logs this at WARN.");
            }
            List<Set<String>> groups = clearSiteGroups ? new ArrayList<>() : new ArrayList<>(p.siteGroups());
            if (siteGroups != null) {
                for (String g : siteGroups) {
                    groups.add(new LinkedHashSet<>(Arrays.asList(g.split("\\s*,\\s*"))));
                }
            }
            TokenSettings tokens = p.tokens().withLimits(
                    tokenMaxLifetime != null ? duration("token-max-lifetime", tokenMaxLifetime) : p.tokens().maxLifetime(),
                    tokenRotationGrace != null ? duration("token-rotation-grace", tokenRotationGrace)
                            : p.tokens().rotationGrace(),
                    maxViewersPerToken != null ? maxViewersPerToken : p.tokens().maxViewersPerToken());
            if ("generate".equals(tokenSecret)) {
                String secret = ViewerTokens.newSecret();
                if (p.requiresToken()) {
                    out.println("Tokens signed with the previous secret keep working for " + tokens.rotationGrace()
                            .toSeconds() + " s; then viewers that joined with them are disconnected.");
                }
                out.println("Viewer token secret (shown once; give it to the intranet portal): " + secret);
                tokens = tokens.withSecret(secret, Instant.now());
            } else if ("none".equals(tokenSecret)) {
                tokens = tokens.withSecret(null, Instant.now());
            } else if (tokenSecret != null) {
                throw new PolicyException("token-secret", "must be 'generate' or 'none'");
            }
            return StreamPolicy.validated(p.id(), urlPattern != null ? emptyToNull(urlPattern) : p.urlPattern(),
                    p2p != null ? StreamPolicy.parseMode("p2p", p2p) : p.p2pMode(), modes,
                    maxNeighbours != null ? maxNeighbours : p.maxNeighbours(),
                    upload(p.upload()), allowed,
                    security != null ? SecurityLevel.parse("security", security) : p.securityLevel(), groups, tokens,
                    Instant.now(), viewerParams == null ? p.viewerParams()
                            : viewerParams.isBlank() ? List.of() : List.of(viewerParams.trim().split("\\s*,\\s*")));
        }

        private UploadRules upload(UploadRules u) {
            return new UploadRules(uploadOnCellular != null ? uploadOnCellular : u.onCellular(),
                    uploadOnWifi != null ? uploadOnWifi : u.onWifi(), maxUploads != null ? maxUploads : u.maxUploads(),
                    maxUploadKbps != null ? maxUploadKbps : u.maxUploadKbps());
        }

        /** {@code 90s}, {@code 5m}, {@code 4h}, {@code 1d}, or ISO-8601 ({@code PT4H}). */
        static Duration duration(String field, String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd])").matcher(text.strip());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            try {
                return Duration.parse(text.strip());
            } catch (java.time.format.DateTimeParseException e) {
                throw new PolicyException(field, "'" + text + "' is not a duration like 90s, 5m, 4h or 1d");
            }
        }

        private static String emptyToNull(String s) {
            return s.isBlank() ? null : s;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a stream policy.")
    static final class Add extends ForwardingCommand {
        @Parameters(paramLabel = "ID", description = "Policy id: lower-case letters, digits, '.', '_', '-'.")
        String id;

        @Mixin
        PolicyOptions policy;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            StreamPolicy base = StreamPolicy.validated(id, null, P2pMode.ON, Map.of(),
                    context.policies().defaultPolicy().maxNeighbours(), UploadRules.DEFAULT, List.of(), SecurityLevel.BASIC,
                    List.of(), TokenSettings.NONE, Instant.now());
            StreamPolicy created = policy.applyTo(base, out);
            context.policies().addStream(created, context.actor());
            out.println("Stream policy " + id + " added.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Change a stream policy; connected viewers get the change within 2 seconds.")
    static final class SetPolicy extends ForwardingCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        PolicyOptions policy;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            context.policies().updateStream(id, p -> policy.applyTo(p, out), context.actor());
            out.println("Stream policy " + id + " changed.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the stream policies.")
    static final class ListStreams extends ForwardingCommand {
        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            List<StreamPolicy> all = context.policies().listStreams();
            if (all.isEmpty()) {
                out.println("No stream policies: every stream gets the default policy (P2P on, basic security).");
                return ExitCodes.OK;
            }
            for (StreamPolicy p : all) {
                out.println(p.id());
                out.println("  url pattern:      " + (p.urlPattern() == null ? "(matches by id only)" : p.urlPattern()));
                out.println("  p2p:              " + p.p2pMode().wire() + (p.siteModes().isEmpty() ? "" : "; "
                        + p.siteModes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue().wire()).collect(Collectors.joining(", "))));
                out.println("  max neighbours:   " + p.maxNeighbours());
                UploadRules u = p.upload();
                out.println("  uploads:          " + (u.onWifi() ? "Wi-Fi" : "not Wi-Fi") + ", "
                        + (u.onCellular() ? "cellular" : "not cellular") + "; at most " + u.maxUploads()
                        + " at a time and " + u.maxUploadKbps() + " kbit/s per viewer");
                out.println("  security:         " + p.securityLevel().wire());
                out.println("  allowed origins:  " + (p.allowsAnyOrigin() ? "ANY origin (--allow-any-origin)"
                        : p.usesDefaultOrigins() ? "default (the appliance's own pages and security.intranet-origins)"
                        : String.join(", ", p.allowedOrigins())));
                out.println("  viewer params:    " + (p.viewerParams().isEmpty() ? "none (every query parameter"
                        + " is part of a segment's identity)" : String.join(", ", p.viewerParams())));
                out.println("  site groups:      " + (p.siteGroups().isEmpty() ? "none (sites stay apart)"
                        : p.siteGroups().stream().map(g -> String.join("+", new java.util.TreeSet<>(g)))
                        .collect(Collectors.joining("; "))));
                TokenSettings t = p.tokens();
                out.println("  viewer tokens:    " + (p.requiresToken() ? "required (HS256 JWT, aud " + p.id()
                        + ", max lifetime " + t.maxLifetime() + ", rotation grace " + t.rotationGrace()
                        + ", viewers per token " + (t.maxViewersPerToken() == 0 ? "unlimited" : t.maxViewersPerToken())
                        + ")" : "not required"));
                if (p.requiresToken() && t.graceEnds() != null && t.graceEnds().isAfter(Instant.now())) {
                    out.println("  previous secret:  accepted until " + t.graceEnds());
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Delete a stream policy.")
    static final class Remove extends ForwardingCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            if (!context.policies().removeStream(id, context.actor())) {
                spec.commandLine().getErr().println("swarmgate: no stream policy " + id + " (see 'swarmgate stream list')");
                return ExitCodes.FAILURE;
            }
            out.println("Stream policy " + id + " removed.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Mint a viewer token (an HS256 JWT) for testing or for a portal without a JWT library.",
                "The format is in docs/protocol.md (\"Viewer tokens\")."})
    static final class Token extends ForwardingCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--ttl", paramLabel = "SECONDS",
                description = "Validity (default 3600; at most the stream's --token-max-lifetime).")
        long ttl = 3600;

        @Option(names = "--subject", paramLabel = "VIEWER", description = "Optional viewer identifier.")
        String subject;

        @Override
        protected int execute(AdminContext context, PrintWriter out) {
            StreamPolicy p = context.policies().findStream(id)
                    .orElseThrow(() -> new PolicyException("id", "no stream policy '" + id + "'"));
            if (!p.requiresToken()) {
                throw new PolicyException("token-secret", "stream " + id + " does not use viewer tokens;"
                        + " enable them with 'swarmgate stream set " + id + " --token-secret generate'");
            }
            long max = p.tokens().maxLifetime().toSeconds();
            if (ttl <= 0 || ttl > max) {
                throw new PolicyException("ttl", "must be between 1 and " + max + " seconds (the stream's"
                        + " --token-max-lifetime)");
            }
            Instant now = Instant.now();
            out.println(ViewerTokens.mint(p.tokenSecret(), id, now, now.plusSeconds(ttl), subject,
                    ViewerTokens.newTokenId()));
            return ExitCodes.OK;
        }
    }
}
