package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Forwarding to a collector that goes away and comes back: no entry missing, RFC 5424 framing. */
@Timeout(60)
class SyslogForwarderTest {

    private static final Pattern SEQ = Pattern.compile("\\[audit@32473 seq=\"(\\d+)\"");

    @TempDir
    Path tmp;

    /** A plain-TCP collector reading octet-counted frames until it is closed. */
    private static final class Collector implements AutoCloseable {
        final ServerSocket server;
        final List<String> messages = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile Socket accepted;

        Collector(int port) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            thread = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    accepted = s;
                    while (true) {
                        StringBuilder length = new StringBuilder();
                        int c;
                        while ((c = in.read()) != ' ') {
                            if (c < 0) {
                                return;
                            }
                            length.append((char) c);
                        }
                        byte[] message = in.readNBytes(Integer.parseInt(length.toString()));
                        messages.add(new String(message, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            thread.start();
        }

        Set<Long> seqs() {
            Set<Long> out = new TreeSet<>();
            for (String m : messages) {
                Matcher matcher = SEQ.matcher(m);
                if (matcher.find()) {
                    out.add(Long.parseLong(matcher.group(1)));
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            server.close();
            if (accepted != null) {
                accepted.close(); // the collector process ends: its connections with it
            }
            thread.join(5000);
        }
    }

    @Test
    void aCollectorThatRestartsMissesNoEntry() throws Exception {
        try (AuditFixture f = new AuditFixture(tmp.resolve("data"), Clock.systemUTC())) {
            f.fill(20);
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Collector first = new Collector(port);
            try (SyslogForwarder forwarder = new SyslogForwarder(f.audit.log(),
                    new SyslogForwarder.Target("127.0.0.1", port, null, "appliance.test", null)).start()) {
                Await.until("20 entries at the collector", Duration.ofSeconds(10), () -> first.seqs().size() == 20);
                String message = first.messages.get(0);
                assertTrue(message.startsWith("<109>1 "), message);
                assertTrue(message.contains(" appliance.test swarmgate - stream.changed [audit@32473 seq=\"1\""
                        + " actor=\"alice\" target=\"stream-0\" outcome=\"success\" hash=\""), message);
                assertTrue(message.endsWith(f.audit.log().find(1).orElseThrow().canonical()), message);
                Await.until("the cursor at 20", Duration.ofSeconds(10), () -> forwarder.cursor() == 20);

                // The collector goes away; entries keep coming; a new collector takes the same port.
                first.close();
                f.fill(15);
                Thread.sleep(300);
                try (Collector second = new Collector(port)) {
                    f.fill(5);
                    Await.until("every entry at one of the collectors", Duration.ofSeconds(30), () -> {
                        Set<Long> all = new TreeSet<>(first.seqs());
                        all.addAll(second.seqs());
                        return all.size() == 40;
                    });
                    Await.until("the cursor at 40", Duration.ofSeconds(10), () -> forwarder.cursor() == 40);
                }
            }
            assertEquals(20, first.seqs().size(), "the first collector was gone before entry 21");
        }
    }
}
