package fedgate.extract;

import java.util.Locale;

/** Geographic levels of an extract, from the finest to the coarsest. */
public enum Level {
    IRIS("IRIS", true),
    COMMUNE("Commune", false),
    EPCI("EPCI", false),
    DEPARTEMENT("Département", false),
    /** The root of the national geography (code {@code FR}): département → EPCI → commune tables for all France. */
    NATIONAL("France", false);

    private final String frenchLabel;
    private final boolean infraCommunal;

    Level(String frenchLabel, boolean infraCommunal) {
        this.frenchLabel = frenchLabel;
        this.infraCommunal = infraCommunal;
    }

    public String frenchLabel() {
        return frenchLabel;
    }

    /** Art. 2: the 100-allocataire threshold applies to infra-communal territories. */
    public boolean infraCommunal() {
        return infraCommunal;
    }

    /** Name used in outputs ({@code iris}, {@code commune}, {@code epci}, {@code departement}). */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Level parent() {
        return ordinal() + 1 < values().length ? values()[ordinal() + 1] : null;
    }

    public static Level parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace("é", "e");
        for (Level l : values()) {
            if (l.code().equals(t)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown level: " + (s == null ? "null" : s.replaceAll("[^\\p{Alnum}_-]", "?")));
    }
}
