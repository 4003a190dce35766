package fedgate.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger's canonical string literals are Jackson's, character for character: the hash of every event already in a
 * ledger was computed with Jackson's writer, and verify must find the same text again.
 */
class CanonicalJsonTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void everyUtf16UnitIsWrittenAsJacksonWritesIt() throws Exception {
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = "a" + (char) c + "b";
            assertThat(CanonicalJson.string(s)).as("U+%04X", c).isEqualTo(JACKSON.writeValueAsString(s));
        }
    }

    @Test
    void mixedStringsAndSurrogatePairsAreWrittenAsJacksonWritesThem() throws Exception {
        Random random = new Random(20261129);
        String pool = "\"\\/\b\f\n\r\t\u0000\u001f\u007f\u00e9\u2028\u2029\ud83d\ude00\ud800\udfffaZ <>&'";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                b.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x10000)
                        : pool.charAt(random.nextInt(pool.length())));
            }
            String s = b.toString();
            assertThat(CanonicalJson.string(s)).isEqualTo(JACKSON.writeValueAsString(s));
        }
        assertThat(CanonicalJson.string("")).isEqualTo("\"\"");
    }

    @Test
    void objectKeysAreSortedAndNestedValuesCanonical() {
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("z", "fin\n");
        details.put("a", java.util.List.of(1, "deux", java.util.Map.of("y", true, "b", false)));
        assertThat(CanonicalJson.write(details))
                .isEqualTo("{\"a\":[1,\"deux\",{\"b\":false,\"y\":true}],\"z\":\"fin\\n\"}");
    }
}
