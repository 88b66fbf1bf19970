package io.swarmgate.loadgen;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The HTTP/1.1 upgrade that turns a connection into a WebSocket (RFC 6455, section 4), client
 * side: the request with a fresh {@code Sec-WebSocket-Key}, then the check of the {@code 101}
 * response and its {@code Sec-WebSocket-Accept}. One per connection attempt, on its socket's loop
 * thread. The key's nonce comes from {@link ThreadLocalRandom}: it only has to differ per
 * connection (see {@link FrameCodec} on why nothing here needs {@code SecureRandom}).
 */
final class UpgradeHandshake {

    static final int MAX_UPGRADE_RESPONSE_BYTES = 16 * 1024;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ByteBuffer request;
    private final String expectedAccept;

    /** The upgrade of {@code uri}, with an {@code Origin} header unless {@code origin} is null. */
    UpgradeHandshake(URI uri, String origin) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String webSocketKey = Base64.getEncoder().encodeToString(nonce);
        expectedAccept = accept(webSocketKey);
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String text = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + webSocketKey + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "\r\n";
        request = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** The request bytes, to be written once. */
    ByteBuffer request() {
        return request;
    }

    static String accept(String webSocketKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((webSocketKey + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    /**
     * Consumes the upgrade response from {@code in} once it is complete and returns true: the
     * WebSocket is open and any bytes after it are frames. False while it is incomplete (nothing
     * consumed); throws when the appliance refused the upgrade or answered it wrongly.
     */
    boolean accepted(ByteBuffer in) throws IOException {
        int end = indexOfBlankLine(in);
        if (end < 0) {
            if (in.remaining() > MAX_UPGRADE_RESPONSE_BYTES) {
                throw new IOException("the upgrade response has no end within " + MAX_UPGRADE_RESPONSE_BYTES + " bytes");
            }
            return false;
        }
        byte[] head = new byte[end - in.position()];
        in.get(head);
        in.position(end + 4);
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        if (!lines[0].matches("HTTP/1\\.1 101( .*)?")) {
            throw new IOException("the appliance refused the WebSocket upgrade: " + lines[0]);
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                accept = lines[i].substring(colon + 1).trim();
            }
        }
        if (!expectedAccept.equals(accept)) {
            throw new IOException("the upgrade response has a wrong Sec-WebSocket-Accept: " + accept);
        }
        return true;
    }

    private static int indexOfBlankLine(ByteBuffer in) {
        for (int i = in.position(); i + 3 < in.limit(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
