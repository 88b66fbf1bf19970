package io.swarmgate.api;

import io.swarmgate.console.Role;
import io.swarmgate.console.Sessions;

/**
 * Who is calling: a signed-in administrator (with a session) or an API token (without).
 *
 * @param name     the username, or {@code token:<id>}
 * @param session  the console session, or null for token calls
 * @param owner    the administrator acting: the username, or the owner of the token
 */
public record Principal(String name, Role role, Sessions.Session session, String owner) {

    public boolean viaSession() {
        return session != null;
    }
}
