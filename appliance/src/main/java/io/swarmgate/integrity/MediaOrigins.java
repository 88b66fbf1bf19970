package io.swarmgate.integrity;

import io.swarmgate.policy.StreamPolicy;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where the appliance may fetch a stream's segments to learn their hashes: the origin of the
 * stream policy's URL pattern (when its scheme, host and port hold no wildcard), the configured
 * {@code security.media-origins}, and the appliance's own demo stream. Never a place a viewer
 * names on its own: a made-up stream URL or segment URL elsewhere gets {@code not_allowed}, so no
 * viewer can make the appliance connect to an arbitrary host. Immutable; safe on any thread.
 */
public final class MediaOrigins {

    private final Set<String> configured;
    private final Predicate<SegmentUrl> ownMedia;

    /**
     * @param configured {@code security.media-origins}, already normalised like page origins
     * @param ownMedia   whether a URL is the appliance's own demo media (read in-process)
     */
    public MediaOrigins(List<String> configured, Predicate<SegmentUrl> ownMedia) {
        this.configured = Set.copyOf(configured);
        this.ownMedia = ownMedia;
    }

    /** Whether the appliance may fetch {@code url} for a viewer of a stream under {@code policy}. */
    public boolean allows(StreamPolicy policy, SegmentUrl url) {
        if (configured.contains(url.origin()) || ownMedia.test(url)) {
            return true;
        }
        String patternOrigin = patternOrigin(policy);
        return patternOrigin != null && patternOrigin.equals(url.origin());
    }

    /** The origins {@code policy}'s segments may come from, for the API and console (the demo aside). */
    public List<String> effective(StreamPolicy policy) {
        Set<String> all = new LinkedHashSet<>();
        String patternOrigin = patternOrigin(policy);
        if (patternOrigin != null) {
            all.add(patternOrigin);
        }
        all.addAll(configured);
        return List.copyOf(all);
    }

    /** The origin of the policy's URL pattern, or null when it has none or a wildcard before the path. */
    static String patternOrigin(StreamPolicy policy) {
        String pattern = policy == null ? null : policy.urlPattern();
        if (pattern == null) {
            return null;
        }
        int schemeEnd = pattern.indexOf("://");
        if (schemeEnd < 0) {
            return null;
        }
        int pathStart = pattern.indexOf('/', schemeEnd + 3);
        String authority = pathStart < 0 ? pattern : pattern.substring(0, pathStart);
        if (authority.contains("*")) {
            return null;
        }
        return SegmentUrl.parse(authority + "/").map(SegmentUrl::origin).orElse(null);
    }
}
