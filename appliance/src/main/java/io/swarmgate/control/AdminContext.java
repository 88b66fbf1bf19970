package io.swarmgate.control;

import io.swarmgate.audit.Actor;
import io.swarmgate.audit.Audit;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.Sessions;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.store.DataDirectory;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What an administration command works on. Inside the running appliance (a command forwarded
 * over the control socket) it is the live {@link PolicyService}, so changes reach connected
 * viewers at once, the live {@link AdminAccounts} (with the sign-in back-off, which is kept in
 * memory only) and the console's {@link Sessions}; files named on the command line were read by
 * the client and travel along.
 *
 * @param sessions the running appliance's console sessions; null in a CLI process working on the
 *                 database of a stopped appliance (which has no sessions)
 * @param dataDir  the data directory of the appliance the command acts on
 * @param database that appliance's open database: the live pool inside the appliance (the only
 *                 process that may open the file while it runs), else the CLI's own
 * @param audit    the audit log and its exports, over the same database
 * @param actor    who runs the command, as the audit log records it: {@code cli:<os user>}, the
 *                 user the control socket's peer credentials name when forwarded
 * @param certificates the TLS certificate: a chain imported inside the appliance is served at once
 */
public record AdminContext(PolicyService policies, AdminAccounts accounts, Sessions sessions,
                           Map<String, String> files, DataDirectory dataDir, DataSource database, Audit audit,
                           Actor actor, Certificates certificates) {

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
