package io.swarmgate.loadgen;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 6455 frames as a client sends and receives them: masked text, pong and close frames out;
 * frames from the appliance parsed and checked one at a time, fragmented text messages
 * reassembled up to {@link #MAX_MESSAGE_BYTES}. The encoders are static and may run on any
 * thread ({@link WireSocket#sendText} encodes on its caller's); a codec instance holds one
 * socket's reassembly state and is used only on that socket's loop thread.
 *
 * <p>Masking keys come from {@link ThreadLocalRandom}. Masking exists so that scripts in a browser
 * cannot choose the bytes an intermediary sees; a load generator's frames need no unpredictable
 * keys, and a {@code SecureRandom} per socket is what made the previous client slow.
 */
final class FrameCodec {

    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;

    /** A received frame the socket has to act on. */
    sealed interface Frame permits Text, Ping, Close, Violation {
    }

    /** A whole text message, reassembled if it came in fragments. */
    record Text(String text) implements Frame {
    }

    /** A ping; the socket answers with {@link #pong}. */
    record Ping(byte[] payload) implements Frame {
    }

    /** The appliance's close frame: its code ({@code 1005} when it had none) and reason. */
    record Close(int code, String reason) implements Frame {
    }

    /** The appliance broke the protocol: the socket closes with {@code code}. */
    record Violation(int code, String why) implements Frame {
    }

    /** The text message being reassembled, null between messages. */
    private ByteArrayOutputStream fragments;

    static ByteBuffer text(String text) {
        return frame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuffer pong(byte[] payload) {
        return frame(OP_PONG, payload);
    }

    /** A close frame; the reason is cut to the 123 bytes a control frame has room for. */
    static ByteBuffer close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return frame(OP_CLOSE, payload);
    }

    private static ByteBuffer frame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
        frame.put((byte) (0x80 | opcode));
        if (length < 126) {
            frame.put((byte) (0x80 | length));
        } else if (length <= 0xffff) {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return frame.flip();
    }

    /**
     * Consumes frames from {@code in} up to the next one the socket must act on and returns it;
     * frames that need nothing (a fragment that does not end its message, a pong) are consumed
     * on the way. Null when {@code in} holds no complete frame: what is left is at most one
     * incomplete frame, whose length was checked against {@link #MAX_MESSAGE_BYTES}. After a
     * {@link Violation} or {@link Close} the socket reads no further.
     */
    Frame next(ByteBuffer in) {
        while (true) {
            int start = in.position();
            if (in.remaining() < 2) {
                return null;
            }
            int b0 = in.get(start) & 0xff;
            int b1 = in.get(start + 1) & 0xff;
            if ((b1 & 0x80) != 0) {
                return new Violation(1002, "the appliance sent a masked frame");
            }
            if ((b0 & 0x70) != 0) {
                return new Violation(1002, "reserved bits set without an extension");
            }
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (in.remaining() < 4) {
                    return null;
                }
                length = in.getShort(start + 2) & 0xffff;
                header = 4;
            } else if (length == 127) {
                if (in.remaining() < 10) {
                    return null;
                }
                length = in.getLong(start + 2);
                header = 10;
            }
            if (length < 0 || length > MAX_MESSAGE_BYTES) {
                return new Violation(1009, "a frame of " + length + " bytes (limit " + MAX_MESSAGE_BYTES + ")");
            }
            if (in.remaining() < header + length) {
                return null;
            }
            byte[] payload = new byte[(int) length];
            in.position(start + header);
            in.get(payload);
            Frame frame = decode(b0, payload);
            if (frame != null) {
                return frame;
            }
        }
    }

    /** What a complete frame means: the frame to act on, or null when it needs nothing. */
    private Frame decode(int b0, byte[] payload) {
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0f;
        switch (opcode) {
            case OP_TEXT -> {
                if (fragments != null) {
                    return new Violation(1002, "a new message inside a fragmented one");
                } else if (fin) {
                    return new Text(new String(payload, StandardCharsets.UTF_8));
                }
                fragments = new ByteArrayOutputStream();
                fragments.writeBytes(payload);
                return null;
            }
            case OP_CONTINUATION -> {
                if (fragments == null) {
                    return new Violation(1002, "a continuation without a message");
                } else if (fragments.size() + payload.length > MAX_MESSAGE_BYTES) {
                    return new Violation(1009, "a message larger than " + MAX_MESSAGE_BYTES + " bytes");
                }
                fragments.writeBytes(payload);
                if (!fin) {
                    return null;
                }
                String text = fragments.toString(StandardCharsets.UTF_8);
                fragments = null;
                return new Text(text);
            }
            case OP_PING -> {
                return new Ping(payload);
            }
            case OP_PONG -> {
                return null; // unsolicited pongs are allowed and mean nothing
            }
            case OP_CLOSE -> {
                int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
                String reason = payload.length > 2
                        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                return new Close(code, reason);
            }
            default -> {
                return new Violation(1003, "unsupported opcode " + opcode);
            }
        }
    }
}
