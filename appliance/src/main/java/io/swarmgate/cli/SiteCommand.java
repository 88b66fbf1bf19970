package io.swarmgate.cli;

import io.swarmgate.control.AdminContext;
import io.swarmgate.mesh.SiteRange;
import io.swarmgate.policy.SiteCsv;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swarmgate site add|list|remove|import|export}: the network map of offices. */
@Command(name = "site", mixinStandardHelpOptions = true,
        description = {"Map address ranges (CIDR) to sites. Viewers only exchange video with viewers of",
            "their own site; unmapped viewers are grouped by their /24 (IPv4) or /64 (IPv6)."},
        subcommands = {SiteCommand.Add.class, SiteCommand.ListSites.class, SiteCommand.Remove.class,
            SiteCommand.Import.class, SiteCommand.Export.class})
public final class SiteCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: add, list, remove, import or export");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a range, or change the site of an existing one.")
    static final class Add extends ForwardingCommand {
        @Parameters(index = "0", paramLabel = "CIDR", description = "Address range, e.g. 10.20.0.0/16 or 2001:db8:20::/48.")
        String cidr;

        @Parameters(index = "1", paramLabel = "SITE", description = "Site name, e.g. paris-hq.")
        String site;

        @Option(names = "--label", description = "Free text shown in the console, e.g. 'Paris, 3rd floor'.")
        String label = "";

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            context.policies().addSite(SiteCsv.range(cidr, site, label), context.actor());
            out.println("Site range " + cidr + " -> " + site + " saved.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the ranges as a table.")
    static final class ListSites extends ForwardingCommand {
        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            List<SiteRange> ranges = context.policies().listSites();
            if (ranges.isEmpty()) {
                out.println("No site ranges: every viewer is grouped by its /24 (IPv4) or /64 (IPv6).");
                return ExitCodes.OK;
            }
            out.printf("%-43s %-24s %s%n", "CIDR", "SITE", "LABEL");
            for (SiteRange r : ranges) {
                out.printf("%-43s %-24s %s%n", r.cidr(), r.site(), r.label());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a range.")
    static final class Remove extends ForwardingCommand {
        @Parameters(paramLabel = "CIDR")
        String cidr;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            if (!context.policies().removeSite(cidr, context.actor())) {
                spec.commandLine().getErr().println("swarmgate: no site range " + cidr + " (see 'swarmgate site list')");
                return ExitCodes.FAILURE;
            }
            out.println("Site range " + cidr + " removed.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Add or replace ranges from a CSV file with columns cidr,site,label (header optional).",
                "Every line is checked first: if any is wrong, each problem is listed by line and nothing changes."})
    static final class Import extends ForwardingCommand {
        @Parameters(paramLabel = "FILE.csv")
        Path file;

        @Override
        protected List<Path> inputFiles() {
            return List.of(file);
        }

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            int n = context.policies().importSites(read(context, file), context.actor());
            out.println("Imported " + n + " site range(s) from " + file + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write the ranges as CSV (cidr,site,label).")
    static final class Export extends ForwardingCommand {
        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
        Path target;

        @Override
        protected int execute(AdminContext context, PrintWriter out) throws Exception {
            String csv = context.policies().exportSites();
            if (target == null || inAppliance()) {
                out.print(csv);
                return ExitCodes.OK;
            }
            return forwardedOutput(csv, out);
        }

        @Override
        protected int forwardedOutput(String csv, PrintWriter out) throws java.io.IOException {
            if (target == null) {
                out.print(csv);
            } else {
                Files.writeString(target, csv, StandardCharsets.UTF_8);
                out.println("Wrote " + target.toAbsolutePath());
            }
            return ExitCodes.OK;
        }
    }
}
