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

    private static void appendString(String s, StringBuilder out) {
        try {
            out.append(MAPPER.writeValueAsString(s));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An empty object node, for callers building details. */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
