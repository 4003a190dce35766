package fedgate.extract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The indicators of Annexe 1 ("socle de données de cadrage"), as data: {@code fedgate/catalogue/indicators.json}.
 */
public final class IndicatorCatalogue {

    public static final String RESOURCE = "/fedgate/catalogue/indicators.json";

    /** One indicator: what it is, how it is computed, and whether its cells add up (for secondary suppression). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Indicator(String code, String theme, String label, String definition, String formula, String unit,
                            String kind, boolean additive, String breakdown, boolean socle, List<String> aliases) {
        public Indicator {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Document(String version, String source, Map<String, List<String>> breakdowns, List<Indicator> indicators,
                    double lowIncomeThresholdEurosPerUc) {
    }

    private final Document document;
    private final Map<String, Indicator> byCode = new LinkedHashMap<>();

    private IndicatorCatalogue(Document document) {
        this.document = document;
        for (Indicator i : document.indicators()) {
            if (byCode.put(i.code(), i) != null) {
                throw new IllegalStateException("duplicate indicator code in catalogue: " + i.code());
            }
        }
    }

    public static IndicatorCatalogue load() {
        try (InputStream in = IndicatorCatalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("indicator catalogue missing from classpath: " + RESOURCE);
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static IndicatorCatalogue read(InputStream in) throws IOException {
        ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        return new IndicatorCatalogue(mapper.readValue(in, Document.class));
    }

    public String version() {
        return document.version();
    }

    public List<Indicator> indicators() {
        return List.copyOf(byCode.values());
    }

    public Optional<Indicator> find(String code) {
        return Optional.ofNullable(code == null ? null : byCode.get(code.trim().toUpperCase(java.util.Locale.ROOT)));
    }

    /** Categories of a breakdown, in publication order; empty for an unknown name. */
    public List<String> categories(String breakdown) {
        return document.breakdowns().getOrDefault(breakdown, List.of());
    }

    public List<Indicator> socle() {
        return byCode.values().stream().filter(Indicator::socle).toList();
    }

    public double lowIncomeThresholdEurosPerUc() {
        return document.lowIncomeThresholdEurosPerUc();
    }
}
