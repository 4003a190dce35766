package fedgate.decision;

import fedgate.extract.IndicatorCatalogue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Bureau d'Études' answer to a request (feuillet 2, Art. 5.3): favorable or défavorable, the motif, the
 * indicators it will deliver (catalogue codes) and the delivery delay. {@code externalDiffusionApproved} is the
 * explicit prior approval Art. 4 requires before a study is diffused outside the partner.
 */
public record Decision(boolean favorable, String motif, List<String> indicators, String deliveryDelay,
                       boolean externalDiffusionApproved) {

    public static final int MAX_MOTIF = 4000;
    public static final int MAX_DELAY = 500;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\n\\r\\t]]");

    public Decision {
        indicators = indicators == null ? List.of() : List.copyOf(indicators);
    }

    /**
     * A decision checked against the catalogue: a motif (1 to 4000 characters, no control characters), known
     * indicator codes (canonical upper case, duplicates dropped), none for a défavorable answer, a delay of at most
     * 500 characters. Messages are for the operator who typed the decision.
     *
     * @throws InvalidDecision with what is wrong
     */
    public static Decision checked(Boolean favorable, String motif, List<String> indicators, String deliveryDelay,
                                   Boolean externalDiffusionApproved, IndicatorCatalogue catalogue) {
        List<String> problems = new ArrayList<>();
        if (favorable == null) {
            problems.add("'favorable' is required (true or false)");
        }
        String m = motif == null ? "" : motif.strip();
        if (m.isEmpty()) {
            problems.add("'motif' is required");
        } else if (m.length() > MAX_MOTIF) {
            problems.add("'motif' is longer than " + MAX_MOTIF + " characters");
        } else if (CONTROL.matcher(m).find()) {
            problems.add("'motif' contains control characters");
        }
        String delay = deliveryDelay == null || deliveryDelay.isBlank() ? null : deliveryDelay.strip();
        if (delay != null && (delay.length() > MAX_DELAY || CONTROL.matcher(delay).find() || delay.contains("\n"))) {
            problems.add("'delay' must be one line of at most " + MAX_DELAY + " characters");
        }
        Set<String> codes = new LinkedHashSet<>();
        for (String code : indicators == null ? List.<String>of() : indicators) {
            String c = code == null ? "" : code.strip().toUpperCase(Locale.ROOT);
            if (catalogue.find(c).isEmpty()) {
                problems.add("unknown indicator code '" + printable(code) + "'");
            } else {
                codes.add(catalogue.find(c).orElseThrow().code());
            }
        }
        if (Boolean.FALSE.equals(favorable) && !codes.isEmpty()) {
            problems.add("a défavorable answer delivers no indicator: leave 'indicators' empty");
        }
        if (Boolean.FALSE.equals(favorable) && Boolean.TRUE.equals(externalDiffusionApproved)) {
            problems.add("'externalDiffusionApproved' only goes with a favorable answer");
        }
        if (!problems.isEmpty()) {
            throw new InvalidDecision(String.join("; ", problems));
        }
        return new Decision(favorable, m, List.copyOf(codes), delay, Boolean.TRUE.equals(externalDiffusionApproved));
    }

    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.replaceAll("[^\\p{L}\\p{N}_ -]", "?");
    }

    /** A decision the operator must correct (HTTP 400). */
    public static final class InvalidDecision extends IllegalArgumentException {
        public InvalidDecision(String message) {
            super(message);
        }
    }
}
