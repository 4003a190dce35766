package fedgate.disclosure;

/** Publication status of a cell: published, or the rule that suppressed it (DESIGN.md rules 1–4). */
public enum CellStatus {
    PUBLISHED("published", "publiée"),
    TERRITORY("territory", "territoire de moins de 100 allocataires (Art. 2)"),
    FREQUENCY("frequency", "effectif trop faible (secret statistique)"),
    DOMINANCE("dominance", "montant dominé par un seul foyer"),
    SECONDARY("secondary", "secret secondaire (empêche le recalcul d'une case masquée)");

    private final String code;
    private final String frenchMotif;

    CellStatus(String code, String frenchMotif) {
        this.code = code;
        this.frenchMotif = frenchMotif;
    }

    /** The value written in the {@code status} column. */
    public String code() {
        return code;
    }

    public String frenchMotif() {
        return frenchMotif;
    }

    public boolean suppressed() {
        return this != PUBLISHED;
    }

    public boolean primary() {
        return this == TERRITORY || this == FREQUENCY || this == DOMINANCE;
    }
}
