package fedgate.disclosure;

import java.util.ArrayList;
import java.util.List;

/**
 * One cell of an extract: an indicator (and breakdown category) on one territory. Besides the value it carries what
 * the rules need — the territory's number of allocataires, the number of contributing units, the largest single
 * household contribution — none of which is ever written to an output.
 */
public final class Cell {

    public static final String ENSEMBLE = "ensemble";

    private final int id;
    private final String indicator;
    private final String category;
    private final String level;
    private final String territory;
    private final String territoryLabel;
    private final CellKind kind;
    private final double value;
    private final boolean infraCommunal;
    private final long territoryAllocataires;
    private final long population;
    private final long numerator;
    private final double maxContribution;
    private final List<Integer> dependsOn = new ArrayList<>();
    private CellStatus status = CellStatus.PUBLISHED;
    private Double auditLow;
    private Double auditHigh;
    private boolean auditExact = true;

    /**
     * @param population   units behind the value: households contributing to an amount, denominator of a rate or
     *                     share, households behind a quantile; for a count, the count itself
     * @param numerator    numerator of a share (households), or -1
     * @param maxContribution largest single-household contribution to an amount, 0 otherwise
     */
    public Cell(int id, String indicator, String category, String level, String territory, String territoryLabel,
                CellKind kind, double value, boolean infraCommunal, long territoryAllocataires, long population,
                long numerator, double maxContribution) {
        this.id = id;
        this.indicator = indicator;
        this.category = category;
        this.level = level;
        this.territory = territory;
        this.territoryLabel = territoryLabel;
        this.kind = kind;
        this.value = value;
        this.infraCommunal = infraCommunal;
        this.territoryAllocataires = territoryAllocataires;
        this.population = population;
        this.numerator = numerator;
        this.maxContribution = maxContribution;
    }

    public int id() { return id; }
    public String indicator() { return indicator; }
    public String category() { return category; }
    public String level() { return level; }
    public String territory() { return territory; }
    public String territoryLabel() { return territoryLabel; }
    public CellKind kind() { return kind; }
    public double value() { return value; }
    public boolean infraCommunal() { return infraCommunal; }
    public long territoryAllocataires() { return territoryAllocataires; }
    public long population() { return population; }
    public long numerator() { return numerator; }
    public double maxContribution() { return maxContribution; }
    public CellStatus status() { return status; }
    public boolean suppressed() { return status.suppressed(); }
    public Double auditLow() { return auditLow; }
    public Double auditHigh() { return auditHigh; }

    /** Cells whose suppression forces this one's (e.g. a coverage rate reveals its covered population). */
    public List<Integer> dependsOn() { return dependsOn; }

    public Cell dependOn(int cellId) {
        dependsOn.add(cellId);
        return this;
    }

    void suppress(CellStatus s) {
        if (status == CellStatus.PUBLISHED) {
            status = s;
        }
    }

    void auditInterval(double low, double high, boolean exact) {
        this.auditLow = low;
        this.auditHigh = high;
        this.auditExact = exact;
    }

    /**
     * False when the audited interval is only a sub-interval of what the published table allows to infer (proven
     * by LP solutions, or audited on a capped block): the true interval is at least as wide.
     */
    public boolean auditExact() { return auditExact; }

    public String key() {
        return indicator + "|" + category + "|" + level + "|" + territory;
    }

    @Override
    public String toString() {
        return key() + "=" + value + " [" + status.code() + "]";
    }
}
