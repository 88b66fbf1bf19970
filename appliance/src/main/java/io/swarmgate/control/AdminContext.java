package io.swarmgate.control;

import io.swarmgate.console.AdminAccounts;
import io.swarmgate.policy.PolicyService;
import java.util.Map;

/**
 * What an administration command works on. Inside the running appliance (a command forwarded
 * over the control socket) it is the live {@link PolicyService}, so changes reach connected
 * viewers at once; files named on the command line were read by the client and travel along.
 */
public record AdminContext(PolicyService policies, AdminAccounts accounts, Map<String, String> files) {

    private static final ThreadLocal<AdminContext> CURRENT = new ThreadLocal<>();

    /** The context of the command running on this thread inside the appliance, or null in a CLI process. */
    public static AdminContext current() {
        return CURRENT.get();
    }

    static void run(AdminContext context, Runnable command) {
        CURRENT.set(context);
        try {
            command.run();
        } finally {
            CURRENT.remove();
        }
    }
}
