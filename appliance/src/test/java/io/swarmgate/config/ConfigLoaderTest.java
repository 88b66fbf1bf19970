package io.swarmgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path f = dir.resolve("swarmgate.conf");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void defaultsApplyWhenNothingIsSet() {
        ApplianceConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertEquals(8443, c.server().httpsPort());
        assertFalse(c.server().httpEnabled());
        assertEquals(10_000, c.server().shutdownTimeoutMs());
        assertEquals(Path.of("var").toAbsolutePath(), c.dataDir());
        assertEquals("INFO", c.logging().level());
        assertFalse(c.demo().enabled());
        assertEquals(6, c.demo().liveWindowSegments());
    }

    @Test
    void fileThenEnvironmentThenFlagsTakePrecedence() throws IOException {
        Path f = file("server.https-port = 9443\nserver.http-port = 9080\nlog.level = debug\n");
        ApplianceConfig fromFile = ConfigLoader.load(f, Map.of(), Map.of());
        assertEquals(9443, fromFile.server().httpsPort());
        assertEquals("DEBUG", fromFile.logging().level());

        Map<String, String> env = Map.of("SWARMGATE_SERVER_HTTPS_PORT", "10443", "PATH", "/usr/bin");
        ApplianceConfig fromEnv = ConfigLoader.load(f, env, Map.of());
        assertEquals(10443, fromEnv.server().httpsPort());
        assertEquals(9080, fromEnv.server().httpPort());

        ApplianceConfig fromFlag = ConfigLoader.load(f, env, Map.of(ConfigKey.SERVER_HTTPS_PORT, "11443"));
        assertEquals(11443, fromFlag.server().httpsPort());
    }

    @Test
    void intranetOriginsAreNormalisedAsBrowsersSendThem() {
        ApplianceConfig c = ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.SECURITY_INTRANET_ORIGINS,
                "HTTPS://Intranet.Corp.Example:443, http://portal.corp.example:8080, http://[fd00::1]"));
        assertEquals(List.of("https://intranet.corp.example", "http://portal.corp.example:8080", "http://[fd00::1]"),
                c.security().intranetOrigins());
        assertEquals(List.of(), ApplianceConfig.defaults().security().intranetOrigins());
    }

    @Test
    void anIntranetOriginWithAPathOrAnotherSchemeIsRejectedNamingTheKey() {
        for (String bad : List.of("https://intranet.corp.example/", "intranet.corp.example", "ftp://intranet.corp.example",
                "https://intranet.corp.example:99999", "https://user@intranet.corp.example", "*")) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(),
                    Map.of(ConfigKey.SECURITY_INTRANET_ORIGINS, bad)), bad);
            assertEquals(ConfigKey.SECURITY_INTRANET_ORIGINS, e.key(), bad);
        }
    }

    @Test
    void unknownKeyInFileIsRejectedWithTheClosestKnownKey() throws IOException {
        Path f = file("# comment\n\nserver.https-prot = 9443\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()));
        assertEquals("server.https-prot", e.key());
        assertTrue(e.getMessage().contains("unknown configuration key"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'server.https-port'"), e.getMessage());
        assertTrue(e.getMessage().contains(":3"), "names the line: " + e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKeyAndTheValue() throws IOException {
        Path f = file("server.https-port = eighty\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()));
        assertEquals("server.https-port", e.key());
        assertTrue(e.getMessage().contains("expected a whole number but got 'eighty'"), e.getMessage());
    }

    @Test
    void aSyslogClientCertificateNeedsItsKeyAndTls() {
        ConfigException missingKey = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(),
                Map.of(ConfigKey.AUDIT_SYSLOG_CLIENT_CERT_FILE, "/etc/swarmgate/siem-client.pem")));
        assertEquals(ConfigKey.AUDIT_SYSLOG_CLIENT_KEY_FILE, missingKey.key(), missingKey.getMessage());
        assertTrue(missingKey.getMessage().contains("set both or neither"), missingKey.getMessage());
        ConfigException plain = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(),
                Map.of(ConfigKey.AUDIT_SYSLOG_CLIENT_CERT_FILE, "/c.pem", ConfigKey.AUDIT_SYSLOG_CLIENT_KEY_FILE, "/k.pem",
                        ConfigKey.AUDIT_SYSLOG_TLS, "false")));
        assertTrue(plain.getMessage().contains("needs TLS"), plain.getMessage());
        ApplianceConfig both = ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.AUDIT_SYSLOG_CLIENT_CERT_FILE, "/c.pem",
                ConfigKey.AUDIT_SYSLOG_CLIENT_KEY_FILE, "/k.pem"));
        assertEquals("/k.pem", both.audit().syslogClientKeyFile());
    }

    @Test
    void outOfRangeValueIsRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.SERVER_HTTPS_PORT, "70000")));
        assertTrue(e.getMessage().startsWith("server.https-port: must be between 0 and 65535"), e.getMessage());
    }

    @Test
    void stunSettingsAreValidated() {
        ApplianceConfig defaults = ConfigLoader.load(null, Map.of(), Map.of());
        assertEquals(new ApplianceConfig.Stun(true, 3478, ""), defaults.stun());
        ConfigException port = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.STUN_PORT, "70000")));
        assertTrue(port.getMessage().startsWith("stun.port: must be between 0 and 65535"), port.getMessage());
        ConfigException bind = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.STUN_BIND, "appliance.corp.example")));
        assertTrue(bind.getMessage().startsWith("stun.bind: 'appliance.corp.example' is not an IP address"),
                bind.getMessage());
        assertEquals("fd00::1", ConfigLoader.load(null, Map.of(), Map.of(ConfigKey.STUN_BIND, "fd00::1")).stun().bind());
    }

    @Test
    void badBooleanAndLogLevelAreRejected() {
        assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("SWARMGATE_DEMO_ENABLED", "maybe"), Map.of()));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("SWARMGATE_LOG_LEVEL", "loud"), Map.of()));
        assertEquals("log.level", e.key());
    }

    @Test
    void unknownEnvironmentVariableIsRejectedWithTheClosestKnownOne() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("SWARMGATE_SERVER_HTTP_PROT", "8080"), Map.of()));
        assertEquals("SWARMGATE_SERVER_HTTP_PROT", e.key());
        assertTrue(e.getMessage().contains("SWARMGATE_SERVER_HTTP_PORT"), e.getMessage());
    }

    @Test
    void launcherVariablesAreNotConfiguration() {
        ApplianceConfig c = ConfigLoader.load(null, Map.of("SWARMGATE_JAVA_OPTS", "-Xmx1g"), Map.of());
        assertEquals(8443, c.server().httpsPort());
    }

    @Test
    void keySetTwiceInFileIsRejected() throws IOException {
        Path f = file("log.level = INFO\nlog.level = DEBUG\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("lines 1 and 2"), e.getMessage());
    }

    @Test
    void lineWithoutEqualsSignIsRejected() throws IOException {
        Path f = file("server.https-port 8443\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("expected 'key = value'"), e.getMessage());
    }

    @Test
    void sameHttpAndHttpsPortIsAContradiction() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(),
                Map.of(ConfigKey.SERVER_HTTPS_PORT, "9000", ConfigKey.SERVER_HTTP_PORT, "9000")));
        assertEquals(ConfigKey.SERVER_HTTP_PORT, e.key());
    }

    @Test
    void hostnamesAreAListAndValidated() {
        ApplianceConfig c = ConfigLoader.load(null, Map.of(),
                Map.of(ConfigKey.SERVER_HOSTNAMES, "video.corp.example, 10.0.0.5"));
        assertEquals(List.of("video.corp.example", "10.0.0.5"), c.server().hostnames());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of(),
                Map.of(ConfigKey.SERVER_HOSTNAMES, "bad host/name")));
    }

    @Test
    void missingFileIsReported() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(dir.resolve("nope.conf"), Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    /** The shipped file is the documentation of every key: keep it complete and its defaults true. */
    @Test
    void shippedConfigFileDocumentsEveryKeyWithItsDefault() throws IOException {
        String shipped = Files.readString(Path.of("../config/swarmgate.conf"));
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            String line = ("#" + key.name() + " = " + key.defaultValue()).strip();
            assertTrue(shipped.lines().anyMatch(l -> l.strip().equals(line)),
                    "config/swarmgate.conf lacks the line '" + line + "'");
        }
    }

    @Test
    void shippedConfigFileLoadsWhenEveryLineIsUncommented() throws IOException {
        StringBuilder uncommented = new StringBuilder();
        for (String l : Files.readAllLines(Path.of("../config/swarmgate.conf"))) {
            if (l.matches("#[a-z].* =.*")) {
                uncommented.append(l.substring(1)).append('\n');
            }
        }
        ApplianceConfig c = ConfigLoader.load(file(uncommented.toString()), Map.of(), Map.of());
        assertEquals(ConfigLoader.load(null, Map.of(), Map.of()), c);
    }

    /** A value of the wrong type for each kind of key, from each kind of source: the key is named. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "server.max-threads   | lots         | expected a whole number but got 'lots'",
        "server.max-threads   | 7            | must be between 8 and 10000 but is 7",
        "log.requests         | perhaps      | expected true or false but got 'perhaps'",
        "log.level            | loud         | expected one of TRACE, DEBUG, INFO, WARN, ERROR but got 'loud'",
        "data.dir             | \"\"         | must not be empty",
        "metrics.allowed-networks | 10.0.0.0/33 | invalid CIDR '10.0.0.0/33'",
        "mesh.trusted-networks    | corp.example/8 | invalid CIDR 'corp.example/8'",
        "signaling.trusted-proxies | 10.0.0.1 | invalid CIDR '10.0.0.1'",
        "server.hostnames     | bad host/name | 'bad host/name' is not a host name or IP address",
    })
    void aWronglyTypedValueNamesItsKey(String key, String value, String problem) throws IOException {
        ConfigException fromFile = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(file(key + " = " + value + "\n"), Map.of(), Map.of()));
        assertEquals(key, fromFile.key());
        assertTrue(fromFile.getMessage().startsWith(key + ": " + problem), fromFile.getMessage());

        String variable = ConfigKey.find(key).environmentName();
        ConfigException fromEnv = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(variable, value), Map.of()));
        assertEquals(key, fromEnv.key());

        ConfigException fromFlag = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), Map.of(key, value)));
        assertEquals(key, fromFlag.key());
        assertTrue(fromFlag.getMessage().contains(problem), fromFlag.getMessage());
    }

    @Test
    void aTypeProblemSaysWhereTheValueCameFrom() throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(
                file("# ports\nserver.http-port = 80x\n"), Map.of(), Map.of()));
        assertTrue(e.getMessage().endsWith("(" + dir.resolve("swarmgate.conf") + ":2)"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, Map.of("SWARMGATE_DEMO_ENABLED", "maybe"), Map.of()));
        assertTrue(e.getMessage().endsWith("(environment SWARMGATE_DEMO_ENABLED)"), e.getMessage());
    }

    @Test
    void aBadValueFailsEvenWhenAHigherLayerOverridesIt() throws IOException {
        Path f = file("server.https-port = eighty\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(f, Map.of(), Map.of(ConfigKey.SERVER_HTTPS_PORT, "9443")));
        assertEquals(ConfigKey.SERVER_HTTPS_PORT, e.key());
    }

    @Test
    void typedKeysParseIntoTheirType() {
        int port = ConfigKeys.SERVER_HTTPS_PORT.parse(" 9443 ", "test");
        assertEquals(9443, port);
        boolean demo = ConfigKeys.DEMO_ENABLED.parse("On", "test");
        assertTrue(demo);
        List<String> networks = ConfigKeys.MESH_TRUSTED_NETWORKS.parse("10.0.0.0/8 , fc00::/7", "test");
        assertEquals(List.of("10.0.0.0/8", "fc00::/7"), networks);
        Path data = ConfigKeys.DATA_DIR.parse("/srv/swarmgate", "test");
        assertEquals(Path.of("/srv/swarmgate"), data);
        assertEquals("WARN", ConfigKeys.LOG_LEVEL.parse("warn", "test"));
        assertEquals(List.of(), ConfigKeys.SERVER_HOSTNAMES.parse("", "test"));
    }

    @Test
    void everyDeclaredKeyIsListedOnceUnderItsName() throws IllegalAccessException {
        int declared = 0;
        for (Field field : ConfigKeys.class.getDeclaredFields()) {
            if (field.getType() == ConfigKey.class && Modifier.isStatic(field.getModifiers())) {
                ConfigKey<?> key = (ConfigKey<?>) field.get(null);
                assertEquals(key, ConfigKey.find(key.name()), field.getName());
                declared++;
            }
        }
        assertEquals(declared, ConfigKey.all().size());
    }
}
