package fedgate.validation;

import fedgate.extract.IndicatorCatalogue;
import fedgate.extract.IndicatorCatalogue.Indicator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps the "Indicateurs sollicités" as a referent writes them to catalogue codes (Art. 5.3: nature of the data).
 * <p>
 * In order, for each requested text:
 * <ol>
 *   <li>a catalogue code, any case ("alloc", "TX-COUV");</li>
 *   <li>a label or alias after folding (case, accents, punctuation, spaces) and dropping leading articles and
 *       "nombre de" / "nb": "Le nombre d'allocataires" = "allocataires";</li>
 *   <li>"socle", "socle de données de cadrage", "Annexe 1"… = every socle indicator (Art. 1.2.1);</li>
 *   <li>a conservative fuzzy match so a typo does not reject a request: optimal-string-alignment distance
 *       ≤ {@value #MAX_TYPOS} to a label or alias, both at least {@value #MIN_FUZZY_LENGTH} characters long, and only
 *       when a single indicator is that close (otherwise the text is reported as ambiguous);</li>
 *   <li>failing all that, a list written in one field ("allocataires, taux de couverture et RSA") is split on
 *       , ; / newlines and then on "et", and each part is matched alone.</li>
 * </ol>
 */
public final class IndicatorMatcher {

    static final int MAX_TYPOS = 2;
    static final int MIN_FUZZY_LENGTH = 8;

    private static final Set<String> SOCLE = Set.of("socle", "socle de donnees de cadrage", "socle de cadrage",
            "donnees de cadrage", "socle de donnees", "socle complet", "tout le socle", "ensemble du socle",
            "annexe 1", "socle annexe 1", "socle de donnees de cadrage annexe 1", "tous les indicateurs du socle");
    private static final Pattern LIST_SEPARATORS = Pattern.compile("[,;/\\n\\r•+]+");
    private static final Pattern AND = Pattern.compile("\\s+(?:et|&)\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern BULLET = Pattern.compile("^\\s*(?:[-*·–—>]+|\\(?\\d{1,2}[.)]|\\(?[a-zA-Z][.)])\\s+");

    /** How a requested text was understood. */
    public enum How { CODE, LABEL, SOCLE, FUZZY }

    /**
     * One understood text.
     *
     * @param requested the text as written
     * @param codes     catalogue codes it stands for (several for "socle")
     * @param how       how it was matched
     * @param matched   the label or alias it matched (for FUZZY: what the referent probably meant)
     */
    public record Match(String requested, List<String> codes, How how, String matched) {
    }

    /**
     * A text that maps to no indicator.
     *
     * @param candidates codes it is close to when the fuzzy match was ambiguous, else empty
     */
    public record Unknown(String requested, List<String> candidates) {
    }

    /** The outcome for a whole "Indicateurs sollicités" field. */
    public record Result(List<String> codes, List<Match> matches, List<Unknown> unknown) {
        public List<Match> fuzzy() {
            return matches.stream().filter(m -> m.how() == How.FUZZY).toList();
        }
    }

    private final IndicatorCatalogue catalogue;
    private final Map<String, Set<String>> byKey = new LinkedHashMap<>();
    private final List<String> socleCodes;

    public IndicatorMatcher(IndicatorCatalogue catalogue) {
        this.catalogue = catalogue;
        for (Indicator i : catalogue.indicators()) {
            add(i.code(), i.code());
            add(i.label(), i.code());
            i.aliases().forEach(a -> add(a, i.code()));
        }
        this.socleCodes = catalogue.socle().stream().map(Indicator::code).toList();
    }

    private void add(String text, String code) {
        String key = Text.key(text);
        if (!key.isEmpty()) {
            byKey.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(code);
        }
    }

    public IndicatorCatalogue catalogue() {
        return catalogue;
    }

    /** Matches every requested text; codes are de-duplicated, in the order first requested. */
    public Result matchAll(List<String> requested) {
        List<Match> matches = new ArrayList<>();
        List<Unknown> unknown = new ArrayList<>();
        for (String r : requested) {
            if (!Text.isBlank(r)) {
                resolve(r, matches, unknown);
            }
        }
        Set<String> codes = new LinkedHashSet<>();
        matches.forEach(m -> codes.addAll(m.codes()));
        return new Result(List.copyOf(codes), List.copyOf(matches), List.copyOf(unknown));
    }

    /** Matches one text as a whole (no splitting). */
    public Optional<Match> match(String text) {
        Object r = single(text);
        return r instanceof Match m ? Optional.of(m) : Optional.empty();
    }

    private void resolve(String text, List<Match> matches, List<Unknown> unknown) {
        Object whole = single(text);
        if (whole instanceof Match m) {
            matches.add(m);
            return;
        }
        for (Pattern separator : List.of(LIST_SEPARATORS, AND)) {
            List<String> parts = separator.splitAsStream(text).filter(p -> !Text.isBlank(p)).toList();
            if (parts.size() < 2) {
                continue;
            }
            List<Match> partMatches = new ArrayList<>();
            List<Unknown> partUnknown = new ArrayList<>();
            for (String p : parts) {
                if (separator == LIST_SEPARATORS) {
                    resolve(p, partMatches, partUnknown); // a part may still be "x et y"
                } else if (single(p) instanceof Match m) {
                    partMatches.add(m);
                } else {
                    partUnknown.add((Unknown) single(p));
                }
            }
            if (!partMatches.isEmpty()) { // it was a list: report part by part
                matches.addAll(partMatches);
                unknown.addAll(partUnknown);
                return;
            }
        }
        unknown.add((Unknown) whole);
    }

    /** A {@link Match} or an {@link Unknown}. */
    private Object single(String raw) {
        String text = BULLET.matcher(raw).replaceFirst("");
        String asCode = text.strip().toUpperCase(Locale.ROOT).replaceAll("[\\s-]+", "_");
        Optional<Indicator> byCode = catalogue.find(asCode);
        if (byCode.isPresent()) {
            return new Match(raw.strip(), List.of(byCode.get().code()), How.CODE, byCode.get().code());
        }
        String key = Text.key(text);
        if (key.isEmpty()) {
            return new Unknown(raw.strip(), List.of());
        }
        if (SOCLE.contains(key) || SOCLE.contains(Text.fold(text))) {
            return new Match(raw.strip(), socleCodes, How.SOCLE, "socle de données de cadrage");
        }
        Set<String> exact = byKey.get(key);
        if (exact != null) {
            if (exact.size() == 1) {
                String code = exact.iterator().next();
                return new Match(raw.strip(), List.of(code), How.LABEL, label(code));
            }
            return new Unknown(raw.strip(), inCatalogueOrder(exact));
        }
        if (key.length() >= MIN_FUZZY_LENGTH) {
            int best = MAX_TYPOS + 1;
            Set<String> bestCodes = new LinkedHashSet<>();
            String bestKey = null;
            for (Map.Entry<String, Set<String>> e : byKey.entrySet()) {
                if (e.getKey().length() < MIN_FUZZY_LENGTH) {
                    continue;
                }
                int d = Text.distance(key, e.getKey(), MAX_TYPOS);
                if (d < best) {
                    best = d;
                    bestCodes = new LinkedHashSet<>(e.getValue());
                    bestKey = e.getKey();
                } else if (d == best && d <= MAX_TYPOS) {
                    bestCodes.addAll(e.getValue());
                }
            }
            if (best <= MAX_TYPOS) {
                if (bestCodes.size() == 1) {
                    String code = bestCodes.iterator().next();
                    return new Match(raw.strip(), List.of(code), How.FUZZY, bestKey);
                }
                return new Unknown(raw.strip(), inCatalogueOrder(bestCodes));
            }
        }
        return new Unknown(raw.strip(), List.of());
    }

    private List<String> inCatalogueOrder(Set<String> codes) {
        return catalogue.indicators().stream().map(Indicator::code).filter(codes::contains).toList();
    }

    /** "ALLOC (Nombre d'allocataires)". */
    String describe(String code) {
        return code + " (" + label(code) + ")";
    }

    private String label(String code) {
        return catalogue.find(code).map(Indicator::label).orElse(code);
    }

    /** The catalogue in one French line, for reasons: "ALLOC (Nombre d'allocataires), POP_COUV (…), …". */
    String describeCatalogue() {
        return String.join(", ", catalogue.indicators().stream().map(i -> describe(i.code())).toList());
    }
}
