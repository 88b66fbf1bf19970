package io.swarmgate.metrics;

/**
 * Decides whether a bearer token may read {@code /metrics} from outside
 * {@code metrics.allowed-networks}. The API-token store implements it; until then the appliance
 * wires {@link #REJECT_ALL}.
 */
@FunctionalInterface
public interface MetricsAuth {

    MetricsAuth REJECT_ALL = token -> false;

    /** @param token the text after {@code "Bearer "}, never null or empty */
    boolean accepts(String token);
}
