package io.swarmgate.policy;

import io.swarmgate.mesh.Site;
import io.swarmgate.mesh.SiteMap;
import io.swarmgate.mesh.SiteRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sites CSV exchanged with network teams: header {@code cidr,site,label}, one range per line.
 * Parsing checks every line and reports every bad one by line number, so an import is either
 * applied whole or not at all.
 */
public final class SiteCsv {

    public static final String HEADER = "cidr,site,label";
    /** The longest label, as the {@code site_range.label} column holds. */
    public static final int MAX_LABEL = 200;

    private SiteCsv() {
    }

    /** Every problem found in a CSV, one line each ("line 7: …"). */
    public static final class CsvException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        CsvException(List<String> problems) {
            super(problems.size() + " problem(s), nothing imported:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    public static List<SiteRange> parse(String text) {
        List<SiteRange> ranges = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")
                    || number == 1 && line.replace(" ", "").equalsIgnoreCase(HEADER)) {
                continue;
            }
            List<String> cells = cells(line);
            if (cells.size() < 2 || cells.size() > 3) {
                problems.add("line " + number + ": expected 2 or 3 columns (cidr,site,label) but found " + cells.size());
                continue;
            }
            SiteRange range;
            try {
                range = range(cells.get(0), cells.get(1), cells.size() == 3 ? cells.get(2) : "");
            } catch (PolicyException e) {
                problems.add("line " + number + ": " + e.getMessage());
                continue;
            }
            Integer earlier = seen.put(range.cidr(), number);
            if (earlier != null) {
                problems.add("line " + number + ": " + range.cidr() + " is already on line " + earlier);
                continue;
            }
            ranges.add(range);
        }
        if (!problems.isEmpty()) {
            throw new CsvException(problems);
        }
        return ranges;
    }

    /**
     * A checked range from what a person typed (CSV cells, CLI arguments, API fields): site name
     * first, since an empty or reserved one would otherwise fail in {@link SiteRange}'s own check,
     * then the CIDR (strict) and the label's length.
     *
     * @throws PolicyException naming the field ({@code site}, {@code cidr}, {@code label})
     */
    public static SiteRange range(String cidr, String site, String label) {
        if (site == null || site.isEmpty()) {
            throw new PolicyException("site", "a site name is required");
        }
        StreamPolicy.checkSite("site", site);
        if (site.startsWith(Site.AUTOMATIC_PREFIX)) {
            throw new PolicyException("site", "'" + site + "': names starting with '" + Site.AUTOMATIC_PREFIX
                    + "' are reserved for automatic sites");
        }
        SiteRange range = new SiteRange(cidr, site, label);
        validate(range);
        return range;
    }

    /** Checks one range: strict CIDR, site name, label length. */
    public static void validate(SiteRange range) {
        try {
            SiteMap.of(List.of(range));
        } catch (IllegalArgumentException e) {
            throw new PolicyException("cidr", e.getMessage());
        }
        StreamPolicy.checkSite("site", range.site());
        if (range.label().length() > MAX_LABEL) {
            throw new PolicyException("label", "is longer than " + MAX_LABEL + " characters");
        }
    }

    public static String format(List<SiteRange> ranges) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (SiteRange r : ranges) {
            out.append(r.cidr()).append(',').append(r.site()).append(',').append(quote(r.label())).append('\n');
        }
        return out.toString();
    }

    private static String quote(String cell) {
        return cell.contains(",") || cell.contains("\"") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }

    /** Splits one line into cells; double quotes may enclose a cell with commas ("" is a quote). */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString().strip());
        return out;
    }
}
