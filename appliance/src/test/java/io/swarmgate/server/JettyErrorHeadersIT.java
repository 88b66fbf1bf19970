package io.swarmgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmgate.Appliance;
import io.swarmgate.TestAppliance;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Responses Jetty writes itself, before any handler runs, carry the security headers too. Sent
 * over a raw socket: no HTTP client would send these requests.
 */
@Timeout(60)
class JettyErrorHeadersIT {

    @TempDir
    static Path tmp;
    static Appliance appliance;

    @BeforeAll
    static void start() throws Exception {
        appliance = TestAppliance.start(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    /** Sends {@code request} as is and returns the response head (status line and headers), lower-cased. */
    private static String exchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", appliance.httpUri().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            return head.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        }
    }

    private static void assertSecurityHeaders(String head) {
        assertTrue(head.contains("\r\ncontent-security-policy: default-src 'self'"), head);
        assertTrue(head.contains("\r\nx-content-type-options: nosniff"), head);
        assertTrue(head.contains("\r\nreferrer-policy: no-referrer"), head);
        assertTrue(!head.contains("\r\nserver:"), head);
    }

    @Test
    void aMalformedRequestLineIsAnswered400WithTheSecurityHeaders() throws Exception {
        String head = exchange("THIS IS NOT HTTP\r\n\r\n");
        assertTrue(head.startsWith("http/1.1 400"), head);
        assertSecurityHeaders(head);
    }

    @Test
    void headersTooLargeAreAnswered431WithTheSecurityHeaders() throws Exception {
        String head = exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(64 * 1024)
                + "\r\n\r\n");
        assertTrue(head.startsWith("http/1.1 431"), head);
        assertSecurityHeaders(head);
    }

    @Test
    void aUriTooLongIsAnsweredWithTheSecurityHeaders() throws Exception {
        String head = exchange("GET /" + "a".repeat(64 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertTrue(head.startsWith("http/1.1 414") || head.startsWith("http/1.1 431"), head);
        assertSecurityHeaders(head);
    }

    @Test
    void ordinaryResponsesStillCarryThemOnce() throws Exception {
        String head = exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertEquals(200, Integer.parseInt(head.substring(9, 12)), head);
        assertSecurityHeaders(head);
        assertEquals(head.indexOf("content-security-policy"), head.lastIndexOf("content-security-policy"), head);
    }
}
