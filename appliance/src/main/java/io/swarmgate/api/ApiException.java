package io.swarmgate.api;

import java.util.List;

/**
 * An expected failure of an API call, mapped to {@code {"error":{"code","message","field"?,"problems"?}}}
 * with {@link #status()} in one place ({@link ApiHandler}).
 */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;
    private final List<String> problems;
    private final int retryAfterSeconds;

    public ApiException(int status, String code, String message) {
        this(status, code, message, null, List.of());
    }

    public ApiException(int status, String code, String message, String field, List<String> problems) {
        this(status, code, message, field, problems, 0);
    }

    /** @param retryAfterSeconds sent as the {@code Retry-After} header when positive */
    public ApiException(int status, String code, String message, String field, List<String> problems,
                        int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.problems = List.copyOf(problems);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "invalid_field", message, field, List.of());
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public List<String> problems() {
        return problems;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
