package io.swarmgate.cli;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options shared by every command that reads configuration: where the file is and where the data
 * lives. Precedence: built-in defaults, then the file, then {@code SWARMGATE_*} variables, then
 * flags.
 */
public final class ConfigOptions {

    /** Read when {@code --config} is not given and the file exists (the packaged location). */
    static final Path INSTALLED_CONFIG = Path.of("/etc/swarmgate/swarmgate.conf");

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (default: ${DEFAULT-VALUE} when it exists, else built-in defaults).",
            defaultValue = "/etc/swarmgate/swarmgate.conf", showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER)
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory: database, PKI, logs (default: ./var, or data.dir from the configuration).")
    Path dataDir;


    /** Loads the configuration with {@code flags} (key → raw value) as the highest precedence. */
    public ApplianceConfig load(Map<String, String> flags) {
        Map<String, String> all = new LinkedHashMap<>();
        if (dataDir != null) {
            all.put(ConfigKey.DATA_DIR, dataDir.toString());
        }
        all.putAll(flags);
        Path file = config;
        if (file != null && file.equals(INSTALLED_CONFIG) && !Files.exists(file)) {
            file = null;
        }
        return ConfigLoader.load(file, System.getenv(), all);
    }

    public ApplianceConfig load() {
        return load(Map.of());
    }
}
