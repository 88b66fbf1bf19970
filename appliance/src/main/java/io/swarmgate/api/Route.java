package io.swarmgate.api;

import io.swarmgate.console.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One API endpoint: method, path template ({@code /streams/{id}}), the least role allowed
 * ({@code null}: no login needed), and documentation that the OpenAPI document is generated from.
 */
public record Route(String method, String template, Role role, Endpoint endpoint, String summary,
                    String requestBody, String response) {

    /** Handles a matched request; returns the response body (serialised as JSON) or an {@link ApiResponse}. */
    @FunctionalInterface
    public interface Endpoint {
        Object handle(ApiRequest request) throws Exception;
    }

    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

    Pattern pattern() {
        Matcher m = PARAM.matcher(template);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("(?<").append(m.group(1))
                    .append(">[^/]+)");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex.toString());
    }

    List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The path parameters if {@code path} matches, else null. */
    Map<String, String> match(Pattern compiled, String path) {
        Matcher m = compiled.matcher(path);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> params = new java.util.HashMap<>();
        for (String name : parameterNames()) {
            params.put(name, java.net.URLDecoder.decode(m.group(name), java.nio.charset.StandardCharsets.UTF_8));
        }
        return params;
    }
}
