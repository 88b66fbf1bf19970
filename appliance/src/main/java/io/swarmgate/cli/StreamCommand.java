package io.swarmgate.cli;

import io.swarmgate.control.AdminContext;
import io.swarmgate.mesh.P2pMode;
import io.swarmgate.policy.PolicyException;
import io.swarmgate.policy.SecurityLevel;
import io.swarmgate.policy.StreamPolicy;
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
            "streams matching nothing get the default policy (P2P on, basic security)."},
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

        @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
                description = "Page origin allowed to join, e.g. https://intranet.corp.example (repeatable; none = any).")
        List<String> origins;

        @Option(names = "--security", paramLabel = "LEVEL",
                description = "basic (anyone with the URL) or intermediate (trusted networks only; sites stay apart).")
        String security;

        @Option(names = "--site-group", paramLabel = "SITE,SITE[,…]",
                description = "Sites whose viewers may exchange video with each other (repeatable).")
        List<String> siteGroups;

        @Option(names = "--token-secret", paramLabel = "generate|none",
                description = "Require signed viewer tokens with a new secret (printed once), or stop requiring them.")
        String tokenSecret;

        @Option(names = "--clear-site-modes", description = "Remove every per-site mode.")
        boolean clearSiteModes;

        @Option(names = "--clear-origins", description = "Allow every page origin again.")
        boolean clearOrigins;

        @Option(names = "--clear-site-groups", description = "Keep every site to itself again.")
        boolean clearSiteGroups;

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
                List<String> merged = new ArrayList<>(allowed);
                origins.stream().filter(o -> !merged.contains(o)).forEach(merged::add);
                allowed = merged;
            }
            List<Set<String>> groups = clearSiteGroups ? new ArrayList<>() : new ArrayList<>(p.siteGroups());
            if (siteGroups != null) {
                for (String g : siteGroups) {
                    groups.add(new LinkedHashSet<>(Arrays.asList(g.split("\\s*,\\s*"))));
                }
            }
            String secret = p.tokenSecret();
            if ("generate".equals(tokenSecret)) {
                secret = ViewerTokens.newSecret();
                out.println("Viewer token secret (shown once; give it to the intranet portal): " + secret);
            } else if ("none".equals(tokenSecret)) {
                secret = null;
            } else if (tokenSecret != null) {
                throw new PolicyException("token-secret", "must be 'generate' or 'none'");
            }
            return StreamPolicy.validated(p.id(), urlPattern != null ? emptyToNull(urlPattern) : p.urlPattern(),
                    p2p != null ? StreamPolicy.parseMode("p2p", p2p) : p.p2pMode(), modes,
                    maxNeighbours != null ? maxNeighbours : p.maxNeighbours(),
                    uploadOnCellular != null ? uploadOnCellular : p.uploadOnCellular(), allowed,
                    security != null ? SecurityLevel.parse("security", security) : p.securityLevel(), groups, secret,
                    Instant.now());
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
                    context.policies().defaultPolicy().maxNeighbours(), false, List.of(), SecurityLevel.BASIC,
                    List.of(), null, Instant.now());
            StreamPolicy created = policy.applyTo(base, out);
            context.policies().addStream(created);
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
            context.policies().updateStream(id, p -> policy.applyTo(p, out));
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
                out.println("  upload cellular:  " + p.uploadOnCellular());
                out.println("  security:         " + p.securityLevel().wire());
                out.println("  allowed origins:  " + (p.allowedOrigins().isEmpty() ? "any" : String.join(", ", p.allowedOrigins())));
                out.println("  site groups:      " + (p.siteGroups().isEmpty() ? "none (sites stay apart)"
                        : p.siteGroups().stream().map(g -> String.join("+", new java.util.TreeSet<>(g)))
                        .collect(Collectors.joining("; "))));
                out.println("  viewer tokens:    " + (p.requiresToken() ? "required" : "not required"));
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
            if (!context.policies().removeStream(id)) {
                spec.commandLine().getErr().println("swarmgate: no stream policy " + id + " (see 'swarmgate stream list')");
                return ExitCodes.FAILURE;
            }
            out.println("Stream policy " + id + " removed.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Mint a viewer token for testing or for a portal without its own implementation.",
                "The format is in docs/protocol.md (\"Viewer tokens\")."})
    static final class Token extends ForwardingCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--ttl", paramLabel = "SECONDS", description = "Validity (default 3600).")
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
            if (ttl <= 0 || ttl > Duration.ofDays(366).toSeconds()) {
                throw new PolicyException("ttl", "must be between 1 and 31622400 seconds");
            }
            out.println(ViewerTokens.mint(p.tokenSecret(), id, Instant.now().plusSeconds(ttl), subject));
            return ExitCodes.OK;
        }
    }
}
