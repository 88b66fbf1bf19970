package io.swarmgate.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmgate.audit.Actor;
import io.swarmgate.audit.Audit;
import io.swarmgate.console.AdminAccounts;
import io.swarmgate.console.Sessions;
import io.swarmgate.policy.PolicyService;
import io.swarmgate.store.DataDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;
import picocli.CommandLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local administration socket {@code <data-dir>/control.sock}: while the appliance runs, it
 * holds the database open, so {@code swarmgate site …}, {@code swarmgate stream …},
 * {@code swarmgate admin …} and {@code swarmgate backup} send their command line here and the
 * appliance runs the very same command against its live services. The
 * socket is a Unix domain socket with mode 0600 in the 0700 data directory — only the service
 * account and root can use it; there is no network listener.
 *
 * <p>Wire format: one JSON line in ({@code {"args":[…],"files":{path: content}}}), one JSON line
 * out ({@code {"exit":n,"out":…,"err":…}}).
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** The commands that may run through the socket. */
    static final Set<String> COMMANDS = Set.of("site", "stream", "admin", "backup", "audit", "cert");
    static final int MAX_REQUEST_CHARS = 8 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final DataDirectory dataDir;
    private final DataSource database;
    private final PolicyService policies;
    private final AdminAccounts accounts;
    private final Sessions sessions;
    private final Audit audit;
    private final Certificates certificates;
    private final Supplier<CommandLine> commandLine;
    private final ServerSocketChannel channel;
    private final Thread acceptor;
    private volatile boolean running = true;

    /**
     * @param commandLine a fresh {@code swarmgate} command line per request (the CLI's root, which
     *                    sits above this package), on which the forwarded arguments run
     */
    public ControlServer(DataDirectory dataDir, DataSource database, PolicyService policies, AdminAccounts accounts,
                         Sessions sessions, Audit audit, Certificates certificates, Supplier<CommandLine> commandLine)
            throws IOException {
        this.audit = audit;
        this.certificates = certificates;
        this.path = dataDir.controlSocket();
        this.dataDir = dataDir;
        this.database = database;
        this.policies = policies;
        this.accounts = accounts;
        this.sessions = sessions;
        this.commandLine = commandLine;
        Files.deleteIfExists(path);
        channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        acceptor = new Thread(this::acceptLoop, "control-socket");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("control - listening on {}", path);
    }

    private void acceptLoop() {
        while (running) {
            try (SocketChannel client = channel.accept()) {
                serve(client);
            } catch (IOException e) {
                if (running) {
                    LOG.warn("control - connection failed: {}", e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("control - command failed", e);
            }
        }
    }

    /** Commands run one at a time: administration is rare and this keeps changes ordered. */
    private void serve(SocketChannel client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (line.length() >= MAX_REQUEST_CHARS) {
                respond(client, 2, "", "swarmgate: control request too large");
                return;
            }
            line.append((char) c);
        }
        JsonNode request;
        try {
            request = JSON.readTree(line.toString());
        } catch (IOException e) {
            respond(client, 2, "", "swarmgate: malformed control request");
            return;
        }
        List<String> args = new ArrayList<>();
        request.path("args").forEach(a -> args.add(a.asText()));
        if (args.isEmpty() || !COMMANDS.contains(args.get(0))) {
            respond(client, 2, "", "swarmgate: only site, stream, admin, backup, audit and cert commands run through the"
                    + " control socket");
            return;
        }
        Map<String, String> files = new HashMap<>();
        request.path("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] exit = new int[1];
        AdminContext.run(new AdminContext(policies, accounts, sessions, files, dataDir, database, audit, peer(client),
                certificates), () -> {
            CommandLine cli = commandLine.get();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exit[0] = cli.execute(args.toArray(String[]::new));
        });
        LOG.info("control - ran '{} {}' with exit code {}", args.get(0), args.size() > 1 ? args.get(1) : "", exit[0]);
        respond(client, exit[0], out.toString(), err.toString());
    }

    /**
     * The operating-system user on the other end of the socket, from the kernel's peer credentials:
     * the audit log names who ran a forwarded command without taking the client's word for it.
     */
    private static Actor peer(SocketChannel client) {
        try {
            return Actor.cli(client.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName());
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("control - cannot read the peer credentials of a command: {}", e.getMessage());
            return Actor.cli("unknown");
        }
    }

    private static void respond(SocketChannel client, int exit, String out, String err) throws IOException {
        ObjectNode response = JSON.createObjectNode().put("exit", exit).put("out", out).put("err", err);
        OutputStream os = Channels.newOutputStream(client);
        os.write((response + "\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    @Override
    public void close() throws IOException {
        running = false;
        channel.close();
        Files.deleteIfExists(path);
    }
}
