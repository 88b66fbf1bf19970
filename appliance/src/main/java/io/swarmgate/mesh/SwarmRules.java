package io.swarmgate.mesh;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The part of a stream policy the coordinator obeys. Supplied per stream by the policy layer
 * (see {@link Coordinator}); immutable, so a policy change is a new instance.
 *
 * @param targetDegree     neighbours the coordinator tries to give every viewer
 * @param maxNeighbours    hard cap on either side of any pair; uploaders accept extra downloaders up to it
 * @param defaultMode      P2P mode of sites not listed in {@code siteModes}
 * @param siteModes        per-site override of the P2P mode
 * @param siteGroups       sets of sites whose viewers may be neighbours; without a group the site
 *                         boundary is closed (neighbours only within the same site)
 * @param uploadOnCellular whether viewers on cellular links may serve others
 * @param uploadOnWifi     whether viewers on Wi-Fi may serve others
 * @param leadersPerSite   how many site leaders fetch new live segments over HTTP
 */
public record SwarmRules(int targetDegree, int maxNeighbours, P2pMode defaultMode, Map<String, P2pMode> siteModes,
                         Set<Set<String>> siteGroups, boolean uploadOnCellular, boolean uploadOnWifi,
                         int leadersPerSite) {

    public static final int DEFAULT_TARGET_DEGREE = 6;
    public static final int DEFAULT_MAX_NEIGHBOURS = 10;
    public static final int DEFAULT_LEADERS_PER_SITE = 2;
    /** Above this, offers and candidate lists stop being cheap for browsers and for matching. */
    public static final int MAX_DEGREE_LIMIT = 64;
    public static final int MAX_LEADERS_PER_SITE = 16;

    public SwarmRules {
        if (targetDegree < 1 || targetDegree > MAX_DEGREE_LIMIT) {
            throw new IllegalArgumentException("targetDegree must be 1.." + MAX_DEGREE_LIMIT + " but was " + targetDegree);
        }
        if (maxNeighbours < targetDegree || maxNeighbours > MAX_DEGREE_LIMIT) {
            throw new IllegalArgumentException("maxNeighbours must be targetDegree (" + targetDegree + ").."
                    + MAX_DEGREE_LIMIT + " but was " + maxNeighbours);
        }
        if (leadersPerSite < 0 || leadersPerSite > MAX_LEADERS_PER_SITE) {
            throw new IllegalArgumentException("leadersPerSite must be 0.." + MAX_LEADERS_PER_SITE + " but was " + leadersPerSite);
        }
        defaultMode = defaultMode == null ? P2pMode.ON : defaultMode;
        siteModes = Map.copyOf(siteModes);
        Set<Set<String>> groups = new HashSet<>();
        for (Set<String> group : siteGroups) {
            groups.add(Set.copyOf(group));
        }
        siteGroups = Set.copyOf(groups);
    }

    /**
     * Defaults: degree 6, cap 10, P2P on everywhere, closed site boundaries, no cellular upload,
     * Wi-Fi upload, 2 leaders.
     */
    public static SwarmRules defaults() {
        return new SwarmRules(DEFAULT_TARGET_DEGREE, DEFAULT_MAX_NEIGHBOURS, P2pMode.ON, Map.of(), Set.of(), false,
                true, DEFAULT_LEADERS_PER_SITE);
    }

    /**
     * Whether a viewer serves segments to its neighbours: P2P is on for it, it offers to (the page
     * lets it and its user did not ask to save data), and the policy lets viewers on its network
     * upload. The same rule decides what the viewer is told in {@code welcome} (signaling's
     * Admission) and whether the coordinator counts it as a source, so the two never disagree.
     */
    public boolean uploads(P2pMode mode, boolean offered, NetworkType network) {
        boolean networkAllowed = switch (network) {
            case CELLULAR -> uploadOnCellular;
            case WIFI -> uploadOnWifi;
            case ETHERNET, UNKNOWN -> true;
        };
        return mode == P2pMode.ON && offered && networkAllowed;
    }

    public P2pMode modeFor(String site) {
        return siteModes.getOrDefault(site, defaultMode);
    }

    /**
     * Other sites whose viewers may be neighbours of {@code site}'s viewers, in name order so
     * matching visits them deterministically. Policies hold a handful of groups, so this scan is
     * bounded by the policy, not by the swarm.
     */
    public SortedSet<String> partnersOf(String site) {
        SortedSet<String> partners = new TreeSet<>();
        for (Set<String> group : siteGroups) {
            if (group.contains(site)) {
                partners.addAll(group);
            }
        }
        partners.remove(site);
        return partners;
    }

    public SwarmRules withDegree(int target, int max) {
        return new SwarmRules(target, max, defaultMode, siteModes, siteGroups, uploadOnCellular, uploadOnWifi,
                leadersPerSite);
    }

    public SwarmRules withSiteMode(String site, P2pMode mode) {
        Map<String, P2pMode> modes = new HashMap<>(siteModes);
        modes.put(site, mode);
        return new SwarmRules(targetDegree, maxNeighbours, defaultMode, modes, siteGroups, uploadOnCellular, uploadOnWifi,
                leadersPerSite);
    }

    public SwarmRules withSiteGroups(Set<Set<String>> groups) {
        return new SwarmRules(targetDegree, maxNeighbours, defaultMode, siteModes, groups, uploadOnCellular, uploadOnWifi,
                leadersPerSite);
    }

    public SwarmRules withUploadOnCellular(boolean allowed) {
        return new SwarmRules(targetDegree, maxNeighbours, defaultMode, siteModes, siteGroups, allowed, uploadOnWifi,
                leadersPerSite);
    }

    public SwarmRules withUploadOnWifi(boolean allowed) {
        return new SwarmRules(targetDegree, maxNeighbours, defaultMode, siteModes, siteGroups, uploadOnCellular, allowed,
                leadersPerSite);
    }

    public SwarmRules withLeadersPerSite(int leaders) {
        return new SwarmRules(targetDegree, maxNeighbours, defaultMode, siteModes, siteGroups, uploadOnCellular, uploadOnWifi,
                leaders);
    }
}
