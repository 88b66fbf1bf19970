package io.swarmgate.config;

/**
 * A configuration problem found at start-up: an unknown key, a value of the wrong type or out of
 * range, or an unreadable file. The message names the key and says what to do; the CLI maps this
 * to exit code 2.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String message) {
        super(key == null ? message : key + ": " + message);
        this.key = key;
    }

    /** The offending key, or {@code null} when the problem is not about a single key. */
    public String key() {
        return key;
    }
}
