package io.swarmgate.audit;

import java.net.InetAddress;

/**
 * Who did something the audit log records, and from where.
 *
 * @param name   an administrator's username, {@code token:<id>} for an API token,
 *               {@code cli:<os user>} for a command run on the appliance host, or {@code system}
 * @param source the client address the request came from, or null (CLI, system)
 */
public record Actor(String name, String source) {

    /** The appliance itself: timers, start-up, aggregated security events. */
    public static final Actor SYSTEM = new Actor("system", null);

    public Actor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an audit actor needs a name");
        }
    }

    /** Whoever {@code name} is (an administrator, {@code token:<id>}), from {@code source}. */
    public static Actor of(String name, InetAddress source) {
        return new Actor(name, address(source));
    }

    /** A signed-in administrator. */
    public static Actor admin(String username, InetAddress source) {
        return new Actor(username, address(source));
    }

    /** An API token, by its public id. */
    public static Actor token(String id, InetAddress source) {
        return new Actor("token:" + id, address(source));
    }

    /** A command run on the appliance host by {@code osUser}. */
    public static Actor cli(String osUser) {
        return new Actor("cli:" + (osUser == null || osUser.isBlank() ? "unknown" : osUser), null);
    }

    /** The operating-system user running this process, as a CLI actor. */
    public static Actor currentCliUser() {
        return cli(System.getProperty("user.name"));
    }

    public Actor from(InetAddress address) {
        return new Actor(name, address(address));
    }

    static String address(InetAddress a) {
        return a == null ? null : a.getHostAddress();
    }
}
