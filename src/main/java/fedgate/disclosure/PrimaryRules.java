package fedgate.disclosure;

/** Rules 1–3 of the policy: territory, frequency, dominance. Applied once, before secondary suppression. */
public final class PrimaryRules {

    private PrimaryRules() {
    }

    public static void apply(DisclosureTable table, DisclosurePolicy policy) {
        for (Cell c : table.cells()) {
            CellStatus s = evaluate(c, policy);
            if (s != CellStatus.PUBLISHED) {
                c.suppress(s);
            }
        }
    }

    static CellStatus evaluate(Cell c, DisclosurePolicy policy) {
        // Art. 2: no information at all on an infra-communal territory with fewer than 100 allocataires
        if (c.infraCommunal() && c.territoryAllocataires() < policy.territoryMinAllocataires()) {
            return CellStatus.TERRITORY;
        }
        int f = policy.frequencyThreshold();
        switch (c.kind()) {
            case COUNT -> {
                if (c.value() > 0 && c.value() < f) {
                    return CellStatus.FREQUENCY;
                }
            }
            case AMOUNT -> {
                if (c.population() > 0 && c.population() < f) {
                    return CellStatus.FREQUENCY;
                }
                if (c.value() > 0 && c.maxContribution() > policy.dominanceShare() * c.value()) {
                    return CellStatus.DOMINANCE;
                }
            }
            case RATE, SHARE -> {
                if (c.population() < policy.ratioMinPopulation() || Double.isNaN(c.value())) {
                    return CellStatus.FREQUENCY;
                }
                // share × population gives the numerator back: a numerator of 1..f-1 is a small count
                if (c.numerator() > 0 && c.numerator() < f) {
                    return CellStatus.FREQUENCY;
                }
            }
            case QUANTILE -> {
                if (c.population() < policy.quantileMinPopulation() || Double.isNaN(c.value())) {
                    return CellStatus.FREQUENCY;
                }
            }
        }
        return CellStatus.PUBLISHED;
    }
}
