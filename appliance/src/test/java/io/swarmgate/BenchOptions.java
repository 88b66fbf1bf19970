package io.swarmgate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of a benchmark's {@code main}: every option must be one the
 * benchmark declares and carry a value, and numeric ones must be positive whole numbers, so a
 * mistyped option stops the run with a message that names it instead of running with the
 * defaults for minutes.
 */
public final class BenchOptions {

    private final Map<String, String> values;

    private BenchOptions(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param bench    the script's name, for messages
     * @param defaults the numeric options and their defaults
     * @param paths    options that take a path and have no default
     * @throws IllegalArgumentException naming the option that is unknown, lacks a value or is not a
     *                                  positive whole number
     */
    public static BenchOptions parse(String bench, String[] args, Map<String, String> defaults, String... paths) {
        Map<String, String> values = new LinkedHashMap<>(defaults);
        Set<String> pathOptions = Set.of(paths);
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!defaults.containsKey(name) && !pathOptions.contains(name)) {
                throw new IllegalArgumentException(bench + ": unknown option " + name + " (known: "
                        + String.join(", ", defaults.keySet()) + (paths.length > 0 ? ", " + String.join(", ", paths) : "")
                        + "; --help explains them)");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(bench + ": " + name + " needs a value");
            }
            String value = args[i + 1];
            if (defaults.containsKey(name) && !value.matches("[1-9][0-9]{0,8}")) {
                throw new IllegalArgumentException(bench + ": " + name + " must be a positive whole number, not '" + value + "'");
            }
            values.put(name, value);
        }
        return new BenchOptions(values);
    }

    /** Parses {@code args} or, on a mistake, prints the message and exits with status 2. */
    public static BenchOptions parseOrExit(String bench, String[] args, Map<String, String> defaults, String... paths) {
        try {
            return parse(bench, args, defaults, paths);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    public int number(String name) {
        return Integer.parseInt(values.get(name));
    }

    /** The value of a path option, or null when it was not given. */
    public String path(String name) {
        return values.get(name);
    }
}
