package io.swarmgate.api;

import java.util.Map;

/**
 * A response other than plain 200 JSON: another status, a non-JSON body (CSV, PEM; bytes; or a
 * {@link java.nio.file.Path} to a generated file, streamed and then deleted), or extra headers
 * such as {@code Set-Cookie}.
 */
public record ApiResponse(int status, Object body, String contentType, Map<String, String> headers) {

    public static ApiResponse json(int status, Object body) {
        return new ApiResponse(status, body, null, Map.of());
    }

    public static ApiResponse text(String body, String contentType, String filename) {
        return new ApiResponse(200, body, contentType, filename == null ? Map.of()
                : Map.of("Content-Disposition", "attachment; filename=\"" + filename + "\""));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, null, Map.of());
    }
}
