package io.swarmgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmgate.Appliance;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.swarmgate.Await;
import io.swarmgate.OpensslCa;
import io.swarmgate.TestAppliance;
import io.swarmgate.config.ConfigKey;
import io.swarmgate.mesh.SiteRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Audit entries forwarded over TLS to a real rsyslog (Debian's, with its GnuTLS driver) running in
 * a network namespace of its own behind a veth pair: a collector restart in the middle of a stream
 * of admin changes loses no entry. Needs root, {@code ip}, {@code rsyslogd} and rsyslog-gnutls; as
 * root or with CI set a missing one fails the test, otherwise it is skipped.
 */
@Timeout(180)
class SyslogForwardingIT {

    private static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");
    private static final Path GTLS = Path.of("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so");
    private static final Pattern SEQ = Pattern.compile("\\[audit@32473 seq=\"(\\d+)\"");

    @TempDir
    Path tmp;

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
    private final String namespace = "sgaudit" + suffix;
    private final String hostSide = "sga" + suffix;
    private final String octet = Long.toString(ProcessHandle.current().pid() % 250 + 1);
    private final String collectorAddress = "10.201." + octet + ".2";
    private Process rsyslog;
    private boolean namespaceMade;

    @AfterEach
    void cleanUp() throws Exception {
        if (rsyslog != null) {
            rsyslog.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (namespaceMade) {
            run(false, "ip", "netns", "del", namespace); // takes its end of the veth pair, and so the pair
            run(false, "ip", "link", "del", hostSide);
        }
    }

    private static void requireCollector() {
        boolean mustRun = "root".equals(System.getProperty("user.name")) || System.getenv("CI") != null;
        boolean available = Files.isExecutable(RSYSLOGD) && Files.exists(GTLS)
                && "root".equals(System.getProperty("user.name"));
        if (mustRun) {
            assertTrue(available, "needs root, rsyslog and rsyslog-gnutls (apt-get install rsyslog rsyslog-gnutls)");
        }
        assumeTrue(available, "needs root, rsyslog and rsyslog-gnutls");
    }

    @Test
    void aCollectorRestartInTheMiddleOfChangesLosesNoEntry() throws Exception {
        requireCollector();
        network();
        Path cert = tmp.resolve("collector.crt");
        Path key = tmp.resolve("collector.key");
        run(true, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=siem.test", "-days", "1",
                "-addext", "subjectAltName=IP:" + collectorAddress);
        Path received = tmp.resolve("received.log");
        Path config = collectorConfig(cert, cert, key, "StreamDriver.AuthMode=\"anon\"", received);
        startCollector(config);

        try (Appliance appliance = TestAppliance.start(tmp.resolve("data"), java.time.Clock.systemUTC(),
                Map.of(ConfigKey.AUDIT_SYSLOG_ADDRESS, collectorAddress + ":6514",
                        ConfigKey.AUDIT_SYSLOG_CA_FILE, cert.toString()))) {
            Actor operator = Actor.cli("operator");
            for (int i = 0; i < 20; i++) {
                appliance.policies().addSite(new SiteRange("10.50." + i + ".0/24", "site" + i, ""), operator);
            }
            long head = appliance.audit().log().head().seq();
            Await.until("the first " + head + " entries at rsyslog", Duration.ofSeconds(30),
                    () -> seqs(received).size() >= head);
            Await.until("the cursor past them", Duration.ofSeconds(10),
                    () -> cursor(appliance) >= head);

            // The collector stops (as for an upgrade) while changes go on, then comes back.
            rsyslog.destroy();
            assertTrue(rsyslog.waitFor(20, TimeUnit.SECONDS), "rsyslog stopped");
            for (int i = 20; i < 35; i++) {
                appliance.policies().addSite(new SiteRange("10.50." + i + ".0/24", "site" + i, ""), operator);
            }
            startCollector(config);
            for (int i = 35; i < 45; i++) {
                appliance.policies().addSite(new SiteRange("10.50." + i + ".0/24", "site" + i, ""), operator);
            }
            long last = appliance.audit().log().head().seq();
            Await.until("every entry up to " + last + " at rsyslog", Duration.ofSeconds(60),
                    () -> seqs(received).containsAll(range(1, last)));
            Set<Long> got = seqs(received);
            assertEquals(range(1, last), got.stream().filter(s -> s <= last).collect(java.util.stream.Collectors
                    .toCollection(TreeSet::new)), "no entry missing (duplicates allowed)");
            String text = Files.readString(received, StandardCharsets.UTF_8);
            assertTrue(text.contains("site.saved [audit@32473 seq="), text.substring(0, Math.min(500, text.length())));
        }
    }

    /**
     * rsyslog requires a client certificate from the enterprise CA naming {@code appliance.test}
     * ({@code x509/name}): without one the appliance is refused, says why, and keeps its cursor;
     * restarted with the certificate, it delivers every entry, those recorded while refused too.
     */
    @Test
    void aCollectorThatRequiresClientCertificatesGetsEveryEntryOnceTheApplianceShowsOne() throws Exception {
        requireCollector();
        network();
        OpensslCa corp = new OpensslCa(tmp.resolve("ca"), "Example Corp");
        Path collectorKey = tmp.resolve("collector.key");
        Path collector = OpensslCa.concat(tmp.resolve("collector-chain.pem"), corp.sign(
                corp.newKey(collectorKey, "/CN=siem.test"), tmp.resolve("collector.pem"),
                "subjectAltName=IP:" + collectorAddress, "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=serverAuth"), corp.intermediateCert);
        Path clientKey = tmp.resolve("client.key");
        Path client = OpensslCa.concat(tmp.resolve("client-chain.pem"), corp.sign(
                corp.newKey(clientKey, "/CN=appliance.test"), tmp.resolve("client.pem"),
                "subjectAltName=DNS:appliance.test", "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=clientAuth"), corp.intermediateCert);
        Path bundle = OpensslCa.concat(tmp.resolve("ca-bundle.pem"), corp.rootCert, corp.intermediateCert);
        Path received = tmp.resolve("received.log");
        Path config = collectorConfig(bundle, collector, collectorKey,
                "StreamDriver.AuthMode=\"x509/name\" PermittedPeer=[\"appliance.test\"]", received);
        startCollector(config);

        Path data = tmp.resolve("data");
        Map<String, String> serverOnly = Map.of(ConfigKey.AUDIT_SYSLOG_ADDRESS, collectorAddress + ":6514",
                ConfigKey.AUDIT_SYSLOG_CA_FILE, corp.rootCert.toString());
        List<String> warnings = new CopyOnWriteArrayList<>();
        ch.qos.logback.classic.Logger forwarderLog =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(SyslogForwarder.class);
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                warnings.add(event.getFormattedMessage());
            }
        };
        capture.start();
        forwarderLog.addAppender(capture);
        long refusedHead;
        try (Appliance appliance = TestAppliance.start(data, java.time.Clock.systemUTC(), serverOnly)) {
            for (int i = 0; i < 5; i++) {
                appliance.policies().addSite(new SiteRange("10.60." + i + ".0/24", "site" + i, ""), Actor.cli("op"));
            }
            Await.until("the appliance to say the collector wants a client certificate", Duration.ofSeconds(30),
                    () -> warnings.stream().anyMatch(w -> w.contains("set audit.syslog-client-cert-file")));
            assertEquals(0, cursor(appliance), "nothing counts as delivered");
            assertEquals(Set.of(), seqs(received), "rsyslog took nothing from an appliance without a certificate");
            refusedHead = appliance.audit().log().head().seq();
        } finally {
            forwarderLog.detachAppender(capture);
        }

        Map<String, String> mutual = new java.util.HashMap<>(serverOnly);
        mutual.put(ConfigKey.AUDIT_SYSLOG_CLIENT_CERT_FILE, client.toString());
        mutual.put(ConfigKey.AUDIT_SYSLOG_CLIENT_KEY_FILE, clientKey.toString());
        try (Appliance appliance = TestAppliance.start(data, java.time.Clock.systemUTC(), mutual)) {
            appliance.policies().addSite(new SiteRange("10.60.9.0/24", "late", ""), Actor.cli("op"));
            long last = appliance.audit().log().head().seq();
            Await.until("every entry up to " + last + " at rsyslog", Duration.ofSeconds(60),
                    () -> seqs(received).containsAll(range(1, last)));
            assertTrue(last > refusedHead && refusedHead >= 5, "the refused entries are among them");
        }
    }

    /** rsyslog over GnuTLS on the collector's address, writing each message's MSGID, SD and text to {@code received}. */
    private Path collectorConfig(Path caFile, Path certFile, Path keyFile, String authentication, Path received)
            throws IOException {
        Path config = tmp.resolve("rsyslog.conf");
        Files.writeString(config, String.join("\n",
                "global(workDirectory=\"" + tmp + "\" DefaultNetstreamDriver=\"gtls\""
                        + " DefaultNetstreamDriverCAFile=\"" + caFile + "\" DefaultNetstreamDriverCertFile=\""
                        + certFile + "\" DefaultNetstreamDriverKeyFile=\"" + keyFile + "\")",
                "module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\" " + authentication + ")",
                "input(type=\"imtcp\" port=\"6514\" address=\"" + collectorAddress + "\")",
                "template(name=\"line\" type=\"string\" string=\"%msgid% %structured-data% %msg%\\n\")",
                "action(type=\"omfile\" file=\"" + received + "\" template=\"line\")", ""));
        return config;
    }

    private void network() throws Exception {
        run(true, "ip", "netns", "add", namespace);
        namespaceMade = true;
        run(true, "ip", "link", "add", hostSide, "type", "veth", "peer", "name", "sgb" + suffix);
        run(true, "ip", "link", "set", "sgb" + suffix, "netns", namespace);
        run(true, "ip", "addr", "add", "10.201." + octet + ".1/30", "dev", hostSide);
        run(true, "ip", "link", "set", hostSide, "up");
        run(true, "ip", "netns", "exec", namespace, "ip", "addr", "add", collectorAddress + "/30", "dev", "sgb" + suffix);
        run(true, "ip", "netns", "exec", namespace, "ip", "link", "set", "sgb" + suffix, "up");
        run(true, "ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
    }

    private void startCollector(Path config) throws Exception {
        rsyslog = new ProcessBuilder("ip", "netns", "exec", namespace, RSYSLOGD.toString(), "-n", "-f",
                config.toString(), "-i", tmp.resolve("rsyslog.pid").toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("rsyslog.out").toFile()).start();
        Await.until("rsyslog listening", Duration.ofSeconds(20), () -> {
            if (!rsyslog.isAlive()) {
                throw new AssertionError("rsyslog exited: " + Files.readString(tmp.resolve("rsyslog.out")));
            }
            return run(false, "ip", "netns", "exec", namespace, "ss", "-ltn").contains(collectorAddress + ":6514");
        });
    }

    private static long cursor(Appliance appliance) throws Exception {
        try (var c = appliance.database().dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT seq FROM audit_forward")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<Long> seqs(Path file) throws IOException {
        Set<Long> out = new TreeSet<>();
        if (!Files.exists(file)) {
            return out;
        }
        Matcher m = SEQ.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    private static Set<Long> range(long from, long to) {
        Set<Long> out = new TreeSet<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    private static String run(boolean check, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
        if (check && p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " -> " + p.exitValue() + ": " + output);
        }
        return output;
    }
}
