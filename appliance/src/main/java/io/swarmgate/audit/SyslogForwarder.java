package io.swarmgate.audit;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.config.ConfigException;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.pki.ClientTls;
import io.swarmgate.pki.PkiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards audit entries to a syslog collector (a SIEM) as RFC 5424 messages over TCP with
 * octet-counting framing (RFC 6587), inside TLS (RFC 5425) unless turned off.
 *
 * <p>Syslog over TCP has no acknowledgements, so delivery is at least once: an entry counts as
 * received once it was written and the connection was still open {@link #SETTLE} later; only then
 * does the cursor in {@code audit_forward} move past it. When the connection fails, every entry
 * written since the last confirmed one is sent again on the next connection, so the collector may
 * see an entry twice (same {@code seq} and {@code hash}) but misses none. After an outage,
 * forwarding resumes from the cursor, also across restarts of the appliance.
 *
 * <p>One thread of its own; it reads entries from the database, never from the request path, so a
 * slow or absent collector never delays an admin call.
 */
public final class SyslogForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyslogForwarder.class);
    /** How long a written entry must be followed by an open connection to count as received. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    static final int BATCH = 500;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * Where to send and how. {@code sslContext} null: plain TCP; {@code clientCertificate}: the
     * subject of the certificate shown to the collector, or null for none.
     */
    public record Target(String host, int port, SSLContext sslContext, String hostname, String clientCertificate) {

        /**
         * The target of the {@code audit.syslog-*} settings; a file that cannot be used throws a
         * {@link ConfigException} naming its key.
         */
        public static Target of(ApplianceConfig.Audit a, String hostname) {
            if (!a.syslogTls()) {
                return new Target(a.syslogHost(), a.syslogPort(), null, hostname, null);
            }
            TrustManager[] trust = null;
            KeyManager[] identity = null;
            String subject = null;
            try {
                if (!a.syslogCaFile().isEmpty()) {
                    trust = ClientTls.trustManagers(Path.of(a.syslogCaFile()));
                }
            } catch (PkiException e) {
                throw new ConfigException(ConfigKey.AUDIT_SYSLOG_CA_FILE, "cannot use '" + a.syslogCaFile()
                        + "' as the syslog collector's CA: " + e.getMessage());
            }
            try {
                if (!a.syslogClientCertFile().isEmpty()) {
                    identity = ClientTls.keyManagers(Path.of(a.syslogClientCertFile()), Path.of(a.syslogClientKeyFile()));
                    subject = ClientTls.subject(Path.of(a.syslogClientCertFile()));
                }
            } catch (PkiException e) {
                throw new ConfigException(ConfigKey.AUDIT_SYSLOG_CLIENT_CERT_FILE, "cannot use '"
                        + a.syslogClientCertFile() + "' with '" + a.syslogClientKeyFile()
                        + "' as the client certificate for the syslog collector: " + e.getMessage());
            }
            try {
                return new Target(a.syslogHost(), a.syslogPort(), ClientTls.context(identity, trust), hostname, subject);
            } catch (GeneralSecurityException e) {
                throw new ConfigException(ConfigKey.AUDIT_SYSLOG_TLS, "cannot set up TLS: " + e.getMessage());
            }
        }
    }

    private final AuditLog log;
    private final Target target;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Socket socket;

    public SyslogForwarder(AuditLog log, Target target) {
        this.log = log;
        this.target = target;
        this.thread = new Thread(this::run, "audit-syslog");
        this.thread.setDaemon(true);
    }

    public SyslogForwarder start() {
        thread.start();
        return this;
    }

    /** An entry written at {@code at} ({@link System#nanoTime}: elapsed time, not the wall clock). */
    private record Sent(long seq, long at) {
    }

    private void run() {
        long backoff = 1000;
        while (running) {
            long connectedAt = 0;
            try (Socket s = connect()) {
                socket = s;
                connectedAt = System.nanoTime();
                LOG.info("audit - forwarding to syslog at {}:{}{}", target.host(), target.port(),
                        target.sslContext() == null ? " (plain TCP)" : target.clientCertificate() == null ? " (TLS)"
                                : " (TLS, client certificate " + target.clientCertificate() + ")");
                forward(s);
            } catch (IOException | SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                // A connection that lived past SETTLE delivered; one ended at once was refused, so
                // retrying it every second would only fill the log.
                boolean refused = connectedAt != 0 && System.nanoTime() - connectedAt < SETTLE.toNanos();
                if (connectedAt != 0 && !refused) {
                    backoff = 1000;
                }
                LOG.warn("audit - syslog collector {}:{}: {}{}; resending what it may have missed in {} s",
                        target.host(), target.port(), e.getMessage(), hint(e, refused), backoff / 1000);
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            } finally {
                socket = null;
            }
        }
    }

    /**
     * What to check when a TLS collector refuses the connection: a collector that requires client
     * certificates ends the connection right after the handshake, which otherwise reads as a mere
     * outage.
     */
    private String hint(Exception e, boolean endedAfterHandshake) {
        if (target.sslContext() == null || !(endedAfterHandshake || e instanceof javax.net.ssl.SSLException)) {
            return "";
        }
        return (endedAfterHandshake ? " right after the TLS handshake" : "") + (target.clientCertificate() == null
                ? " (if the collector requires a client certificate, set audit.syslog-client-cert-file and"
                        + " audit.syslog-client-key-file)"
                : " (if the collector refused the client certificate " + target.clientCertificate()
                        + ", check that it trusts its issuer and permits its name)");
    }

    /** Sends until the connection fails; returns only by throwing (or when stopped). */
    private void forward(Socket s) throws IOException, SQLException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        s.setSoTimeout(200);
        Deque<Sent> unconfirmed = new ArrayDeque<>();
        long sent = cursor();
        while (running) {
            List<AuditEntry> entries = log.range(sent + 1, Long.MAX_VALUE, BATCH);
            for (AuditEntry e : entries) {
                out.write(frame(e));
                unconfirmed.add(new Sent(e.seq(), System.nanoTime()));
                sent = e.seq();
            }
            out.flush();
            // The collector never writes: a read that ends or fails means the connection is gone;
            // one that times out means it is still open (and paces the loop).
            try {
                if (in.read() < 0) {
                    throw new IOException("the collector closed the connection");
                }
            } catch (SocketTimeoutException stillOpen) {
                // expected
            }
            long confirmedUpTo = -1;
            long settledBefore = System.nanoTime() - SETTLE.toNanos();
            while (!unconfirmed.isEmpty() && unconfirmed.peek().at() - settledBefore <= 0) {
                confirmedUpTo = unconfirmed.poll().seq();
            }
            if (confirmedUpTo > 0) {
                saveCursor(confirmedUpTo);
            }
        }
    }

    private Socket connect() throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(target.host(), target.port()), 5000);
        if (target.sslContext() == null) {
            return plain;
        }
        SSLSocket tls = (SSLSocket) target.sslContext().getSocketFactory()
                .createSocket(plain, target.host(), target.port(), true);
        SSLParameters params = tls.getSSLParameters();
        // The collector's certificate must name the host it is reached at, as for HTTPS.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.setSoTimeout(10_000);
        tls.startHandshake();
        return tls;
    }

    /** {@code LEN SP MSG}: one RFC 5424 message with octet-counting framing. */
    byte[] frame(AuditEntry e) {
        byte[] message = message(e).getBytes(StandardCharsets.UTF_8);
        byte[] prefix = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + message.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(message, 0, out, prefix.length, message.length);
        return out;
    }

    /** Facility 13 (log audit); severity notice for a success, warning otherwise. */
    String message(AuditEntry e) {
        int severity = "success".equals(e.outcome()) ? 5 : 4;
        StringBuilder b = new StringBuilder(300 + e.details().length());
        b.append('<').append(13 * 8 + severity).append(">1 ").append(Canonical.time(e.time())).append(' ')
                .append(header(target.hostname(), 255)).append(" swarmgate - ").append(header(e.action(), 32))
                .append(" [audit@32473 seq=\"").append(e.seq()).append('"');
        param(b, "actor", e.actor());
        param(b, "source", e.source());
        param(b, "target", e.target());
        param(b, "outcome", e.outcome());
        param(b, "hash", e.hash());
        b.append("] ").append(e.canonical());
        return b.toString();
    }

    private static void param(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(' ').append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                b.append('\\');
            }
            b.append(c);
        }
        b.append('"');
    }

    /** A header field: printable US-ASCII without spaces, at most {@code max} characters, or "-". */
    private static String header(String value, int max) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length() && b.length() < max; i++) {
            char c = value.charAt(i);
            b.append(c > 32 && c < 127 ? c : '_');
        }
        return b.toString();
    }

    /** The newest entry the collector is taken to have received. */
    public long cursor() throws SQLException {
        try (Connection c = log.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT seq FROM audit_forward WHERE id = 1");
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private void saveCursor(long seq) throws SQLException {
        try (Connection c = log.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE audit_forward SET seq = ? WHERE id = 1 AND seq < ?")) {
            s.setLong(1, seq);
            s.setLong(2, seq);
            s.executeUpdate();
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
