package io.swarmgate.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubjectNamesTest {

    @Test
    void ipLiteralsAreRecognisedStrictlyWithoutResolving() {
        for (String ip : List.of("127.0.0.1", "10.0.0.255", "::1", "fd00::5", "2001:db8:0:0:0:0:0:1", "::ffff:10.1.2.3")) {
            assertTrue(SubjectNames.isIpLiteral(ip), ip);
        }
        for (String notIp : List.of("256.1.1.1", "010.1.1.1", "1.2.3", "1.2.3.4.5", "localhost", "deadbeef",
                "host.example", "1.2.3.4 ", ":::1", "fd00::5::6", "")) {
            assertFalse(SubjectNames.isIpLiteral(notIp), notIp);
        }
    }

    @Test
    void parseTurnsTextIntoDnsOrIpNamesAndRejectsTheRest() {
        assertEquals(GeneralName.iPAddress, SubjectNames.parse("10.1.2.3").getTagNo());
        assertEquals(GeneralName.iPAddress, SubjectNames.parse("[fd00::1]").getTagNo());
        assertEquals(GeneralName.dNSName, SubjectNames.parse("Video.Corp.Example.").getTagNo());
        assertEquals("video.corp.example", SubjectNames.parse("Video.Corp.Example.").getName().toString());
        assertEquals(GeneralName.dNSName, SubjectNames.parse("*.corp.example").getTagNo());
        for (String bad : List.of("", "bad name", "-lead.example", "a..b", "010.1.1.1", "1.2.3", "host_name", "x.*.example")) {
            assertNull(SubjectNames.parse(bad), bad);
        }
    }

    @Test
    void namesKeepExtraNamesFirstAndDropDuplicatesAcrossSpellings() {
        SubjectNames names = SubjectNames.of(
                List.of("Swarmgate.Example", "127.0.0.1", "0:0:0:0:0:0:0:1", "10.0.0.1"),
                List.of("host1", "swarmgate.example", "LOCALHOST"));

        assertEquals("swarmgate.example", names.commonName());
        List<String> text = names.names().stream().map(Object::toString).toList();
        assertEquals(6, names.names().size(), text.toString());
        assertEquals(GeneralName.dNSName, names.names().get(0).getTagNo());
        assertEquals("host1", names.names().get(4).getName().toString());
        assertEquals("localhost", names.names().get(5).getName().toString());
    }

    @Test
    void anIpAsFirstNameBecomesTheCommonName() {
        assertEquals("10.9.8.7", SubjectNames.of(List.of("10.9.8.7"), List.of()).commonName());
    }

    @Test
    void invalidMachineNamesAreSkippedRatherThanFailing() {
        SubjectNames names = SubjectNames.of(List.of(), List.of("weird host"));
        assertEquals("localhost", names.commonName());
        assertEquals(3, names.names().size());
    }

    @TempDir
    Path tmp;

    @Test
    void theMachineNameIsReadFromFilesAndTheEnvironmentWithoutAnyLookup() throws Exception {
        Path kernel = tmp.resolve("kernel-hostname");
        Path etc = tmp.resolve("etc-hostname");
        Path missing = tmp.resolve("missing");
        Files.writeString(etc, "appliance-7\n");
        assertEquals(List.of("appliance-7"), SubjectNames.machineHostnames(List.of(missing, etc), "from-env"));
        Files.writeString(kernel, "  video-gw.corp.example \n");
        assertEquals(List.of("video-gw.corp.example"), SubjectNames.machineHostnames(List.of(kernel, etc), null));
        Files.writeString(etc, "\n");
        assertEquals(List.of("from-env"), SubjectNames.machineHostnames(List.of(missing, etc), " from-env "));
        assertEquals(List.of(), SubjectNames.machineHostnames(List.of(missing), null));
    }

    @Test
    void pkiSourcesNeverCallTheResolvingHostNameMethods() throws Exception {
        // The resolving calls (a forward lookup of the local name, a PTR lookup for the canonical
        // one) must not come back into certificate creation.
        try (var files = Files.list(Path.of("src/main/java/io/swarmgate/pki"))) {
            for (Path f : files.toList()) {
                String source = Files.readString(f);
                for (String call : List.of("getLocalHost(", "getCanonicalHostName(", "getHostName(", "InetAddress.getByName(")) {
                    assertFalse(source.contains(call), f + " calls " + call);
                }
            }
        }
    }
}
