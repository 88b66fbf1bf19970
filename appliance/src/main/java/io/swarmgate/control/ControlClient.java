package io.swarmgate.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Sends an administration command line to the running appliance's {@link ControlServer}. */
public final class ControlClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ControlClient() {
    }

    /** What the appliance printed and returned. */
    public record Result(int exit, String out, String err) {
    }

    /**
     * Whether an appliance answers on {@code socket}: a socket file left by a crashed appliance
     * refuses the connection.
     */
    public static boolean isListening(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs {@code args} inside the appliance listening on {@code socket}, or returns empty when no
     * appliance is listening there (the caller then works on the database directly).
     */
    public static Optional<Result> forward(Path socket, List<String> args, Map<String, String> files) throws IOException {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            // A socket file left by a crashed appliance: nobody is listening.
            return Optional.empty();
        }
        try (channel) {
            ObjectNode request = JSON.createObjectNode();
            args.forEach(request.putArray("args")::add);
            ObjectNode f = request.putObject("files");
            files.forEach(f::put);
            OutputStream out = Channels.newOutputStream(channel);
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = Channels.newInputStream(channel);
            JsonNode response = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return Optional.of(new Result(response.path("exit").asInt(1), response.path("out").asText(),
                    response.path("err").asText()));
        }
    }
}
