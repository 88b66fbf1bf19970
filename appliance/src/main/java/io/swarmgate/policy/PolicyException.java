package io.swarmgate.policy;

/** An invalid policy or site change; names the field. The CLI exits 2, the API answers 400. */
public final class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public PolicyException(String field, String message) {
        super(field == null ? message : field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
