package io.swarmgate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The canonical text of entries and checkpoints, and the chain hash over it. This is a contract
 * with auditors (docs/auditor-guide.md) and with {@code docs/audit-verify.py}: it is exactly what
 * Python's {@code json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)}
 * prints — object keys sorted by code point, no white space, every character outside printable
 * ASCII escaped as a lower-case <code>&#92;u00xx</code> (short forms for {@code \b \f \n \r \t}) — so the
 * script can recompute every hash from an export with the standard library alone.
 *
 * <p>An entry's hash is {@code SHA-256(previous hash (32 bytes) || canonical entry (ASCII))},
 * lower-case hex; the first entry's previous hash is 32 zero bytes ({@link #GENESIS}).
 */
public final class Canonical {

    /** The previous hash of the very first entry. */
    public static final String GENESIS = "0".repeat(64);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Canonical() {
    }

    /** Times in entries and checkpoints: UTC, always with milliseconds. */
    public static String time(Instant t) {
        return TIME.format(t);
    }

    /** The canonical entry: {@code {"action","actor","details","outcome","seq","source","target","time"}}. */
    public static String entry(long seq, Instant time, String actor, String source, String action, String target,
                               String outcome, String canonicalDetails) {
        StringBuilder b = new StringBuilder(160 + canonicalDetails.length());
        b.append("{\"action\":");
        string(b, action);
        b.append(",\"actor\":");
        string(b, actor);
        b.append(",\"details\":").append(canonicalDetails);
        b.append(",\"outcome\":");
        string(b, outcome);
        b.append(",\"seq\":").append(seq);
        b.append(",\"source\":");
        string(b, source);
        b.append(",\"target\":");
        string(b, target);
        b.append(",\"time\":");
        string(b, time(time));
        return b.append('}').toString();
    }

    /** What a checkpoint's signature covers: {@code {"hash","seq","time"}}. */
    public static String checkpoint(long seq, String hash, Instant time) {
        StringBuilder b = new StringBuilder(120);
        b.append("{\"hash\":");
        string(b, hash);
        b.append(",\"seq\":").append(seq).append(",\"time\":");
        string(b, time(time));
        return b.append('}').toString();
    }

    /** The canonical text of event details (a map of plain values, records allowed). */
    public static String details(Map<String, Object> details) {
        return json(MAPPER.valueToTree(details));
    }

    /**
     * The canonical text of a JSON value.
     *
     * @throws IllegalArgumentException for fractional numbers, which have no canonical text here
     */
    public static String json(JsonNode node) {
        StringBuilder b = new StringBuilder();
        write(b, node);
        return b.toString();
    }

    private static void write(StringBuilder b, JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> keys = new ArrayList<>();
                Iterator<String> names = node.fieldNames();
                names.forEachRemaining(keys::add);
                keys.sort(Canonical::compareCodePoints);
                b.append('{');
                for (int i = 0; i < keys.size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    string(b, keys.get(i));
                    b.append(':');
                    write(b, node.get(keys.get(i)));
                }
                b.append('}');
            }
            case ARRAY -> {
                b.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    write(b, node.get(i));
                }
                b.append(']');
            }
            case STRING -> string(b, node.textValue());
            case NUMBER -> {
                if (!node.isIntegralNumber()) {
                    throw new IllegalArgumentException("audit details hold only whole numbers, not " + node);
                }
                b.append(node.bigIntegerValue());
            }
            case BOOLEAN -> b.append(node.booleanValue());
            case NULL, MISSING -> b.append("null");
            default -> throw new IllegalArgumentException("audit details cannot hold " + node.getNodeType());
        }
    }

    /** A JSON string literal with every character outside printable ASCII escaped; null prints null. */
    static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Python sorts keys by code point; Java's compareTo by UTF-16 unit, which differs above U+FFFF. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The hash of an entry whose canonical text is {@code canonical}, chained to {@code previousHash}. */
    public static String chain(String previousHash, String canonical) {
        MessageDigest sha = sha256();
        sha.update(HexFormat.of().parseHex(previousHash));
        sha.update(canonical.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the Java runtime has no SHA-256", e);
        }
    }
}
