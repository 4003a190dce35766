package fedgate.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The canonical JSON text of event details: object keys sorted (by UTF-16 code units, as {@link String#compareTo}),
 * no insignificant whitespace, strings escaped by Jackson, numbers as Jackson writes them (integers exactly;
 * NaN and infinities refused). The same value always gives the same text, so the same hash.
 */
public final class CanonicalJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    /** {@code value} (a {@link JsonNode}, a {@link Map}, a record, or {@code null} for {@code {}}) as canonical text. */
    public static String write(Object value) {
        JsonNode node = value == null ? JsonNodeFactory.instance.objectNode()
                : value instanceof JsonNode n ? n : MAPPER.valueToTree(value);
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    /** Parses canonical (or any) JSON text. */
    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON", e);
        }
    }

    /** A JSON string literal, quotes included. */
    static String string(String s) {
        StringBuilder out = new StringBuilder();
        appendString(s, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(null);
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    appendString(names.get(i), out);
                    out.append(':');
                    write(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> appendString(node.textValue(), out);
            case NUMBER -> {
                if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
                    throw new IllegalArgumentException("NaN and infinite numbers have no JSON form");
                }
                out.append(node.isBigDecimal() ? node.decimalValue().toPlainString() : node.asText());
            }
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL, MISSING -> out.append("null");
            case BINARY, POJO -> throw new IllegalArgumentException("details must be plain JSON (no binary or POJO node)");
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * A JSON string literal exactly as Jackson's default writer makes it (the hashes of existing ledgers depend on it;
     * {@code CanonicalJsonTest} compares the two on every UTF-16 unit): quote and backslash escaped, the control
     * characters below U+0020 as backslash-b, -t, -n, -f, -r or a six-character escape (backslash, u, 00, two
     * upper-case hex digits), everything else as it is. Written here rather than through Jackson, whose generator per
     * string was half of a ledger event's canonical form.
     */
    private static void appendString(String s, StringBuilder out) {
        out.append('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, start, i).append('\\');
            switch (c) {
                case '"', '\\' -> out.append(c);
                case '\b' -> out.append('b');
                case '\t' -> out.append('t');
                case '\n' -> out.append('n');
                case '\f' -> out.append('f');
                case '\r' -> out.append('r');
                default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
            start = i + 1;
        }
        out.append(s, start, s.length()).append('"');
    }

    /** An empty object node, for callers building details. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
