package io.swarmgate.mesh;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A site's leaders as its viewers are told them: the site's own, and for each rendition that
 * viewers of the site said they play, the leaders among those viewers (docs/protocol.md, "Site
 * leaders"). Immutable; lists sorted by peer id, renditions by key.
 *
 * @param site   the site's leaders, for segments of renditions without leaders of their own
 * @param tracks rendition key → its leaders; a rendition none of whose viewers may lead is absent
 */
public record SiteLeaders(List<String> site, Map<String, List<String>> tracks) {

    public static final SiteLeaders NONE = new SiteLeaders(List.of(), Map.of());

    public SiteLeaders {
        site = List.copyOf(site);
        TreeMap<String, List<String>> sorted = new TreeMap<>();
        tracks.forEach((track, ids) -> {
            if (!ids.isEmpty()) {
                sorted.put(track, List.copyOf(ids));
            }
        });
        tracks = Collections.unmodifiableMap(sorted);
    }
}
