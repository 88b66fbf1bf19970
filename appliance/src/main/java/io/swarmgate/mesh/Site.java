package io.swarmgate.mesh;

/**
 * Where a viewer was placed.
 *
 * @param name      the site name handed to the coordinator ({@code auto:10.1.2.0/24} for automatic sites)
 * @param label     the matched range's label, empty for automatic sites
 * @param automatic true when no admin range matched and the viewer was grouped by /24 or /64
 */
public record Site(String name, String label, boolean automatic) {

    /** Prefix of the names of automatic sites; admins cannot reserve names with it. */
    public static final String AUTOMATIC_PREFIX = "auto:";
}
