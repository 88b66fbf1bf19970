package io.swarmgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.discovery.Browser;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code swarmgate discover}: lists the appliances announcing themselves on the LAN. */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"List the Swarmgate appliances announcing themselves on the LAN (mDNS/DNS-SD _swarmgate._tcp),",
                "with the SHA-256 fingerprint of each one's CA: compare it with the fingerprint the appliance's",
                "administrator gives you ('swarmgate cert show') before trusting that CA."})
public final class DiscoverCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3",
            description = "How long to listen on each interface (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--interface", paramLabel = "ADDRESS", split = ",",
            description = "Local IP address(es) to listen on; default: every non-loopback multicast interface.")
    List<String> interfaces = List.of();

    @Option(names = "--json", description = "One JSON object per appliance, one per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds < 1 || timeoutSeconds > 60) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be 1 to 60 seconds");
        }
        Logging.quiet();
        List<Browser.Found> found;
        try {
            found = Browser.find(interfaces, timeoutSeconds * 1000L);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interface: " + e.getMessage());
        }
        var out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (Browser.Found f : found) {
                out.println(mapper.writeValueAsString(f));
            }
        } else if (found.isEmpty()) {
            out.println("No appliance answered within " + timeoutSeconds + " s.");
        } else {
            for (Browser.Found f : found) {
                out.printf("%s%n  addresses:  %s%n  console:    https://%s:%d%s%n  version:    %s%n  CA SHA-256: %s%n",
                        f.name(), String.join(", ", f.addresses()),
                        f.addresses().isEmpty() ? "?" : host(f.addresses().get(0)), f.httpsPort(), f.path(), f.version(),
                        f.caSha256());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String host(String address) {
        return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    }
}
