package fedgate.disclosure;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole policy on a table: primary rules, greedy secondary suppression, then the LP audit, adding
 * suppressions where the audit finds a cell too narrowly bounded, until it passes or nothing is left to suppress.
 */
public final class DisclosureControl {

    private static final Logger LOG = LoggerFactory.getLogger(DisclosureControl.class);

    /**
     * @param audit       the last audit round
     * @param auditMillis time spent in the audit over every round
     * @param millis      the whole disclosure control (primary, secondary, every audit round)
     */
    public record Outcome(boolean auditPassed, Map<CellStatus, Long> counts, LinearAudit.Result audit, int rounds,
                          long auditMillis, long millis) {
        public long suppressed() {
            return counts.entrySet().stream().filter(e -> e.getKey().suppressed()).mapToLong(Map.Entry::getValue).sum();
        }
    }

    private DisclosureControl() {
    }

    public static Outcome protect(DisclosureTable t, DisclosurePolicy p) {
        return protect(t, p, new LinearAudit());
    }

    /** As {@link #protect(DisclosureTable, DisclosurePolicy)} with a given audit (LP size cap, threads). */
    public static Outcome protect(DisclosureTable t, DisclosurePolicy p, LinearAudit audit) {
        long t0 = System.nanoTime();
        PrimaryRules.apply(t, p);
        SecondarySuppression.propagateDependencies(t);
        LOG.info("primary rules: {} cells suppressed of {}", t.cells().stream().filter(Cell::suppressed).count(),
                t.cells().size());
        List<List<Integer>> relationsOf = LinearAudit.relationsByCell(t);
        LinearAudit.Result result;
        int rounds = 0;
        long auditMillis = 0;
        Map<Integer, Integer> failures = new java.util.HashMap<>();
        int[] changed = null; // cells the last repair suppressed (null: the first round checks every relation)
        while (true) {
            rounds++;
            SecondarySuppression.toFixedPoint(t, p, relationsOf, changed);
            result = audit.audit(t, p, relationsOf);
            auditMillis += result.millis();
            if (result.passed()) {
                break;
            }
            if (rounds >= p.auditMaxRounds()) {
                LOG.warn("audit still failing after {} rounds: {} cells exposed", rounds, result.failures().size());
                break;
            }
            boolean added = false;
            boolean[] before = new boolean[t.cells().size()];
            for (Cell c : t.cells()) {
                before[c.id()] = c.suppressed();
            }
            for (LinearAudit.Interval f : result.failures()) {
                Cell weak = t.cell(f.cell());
                if (!stillWeak(weak, f)) {
                    continue;
                }
                List<Relation> rels = new ArrayList<>();
                for (int k : relationsOf.get(weak.id())) {
                    rels.add(t.relations().get(k));
                }
                // Escalation. A cell still too narrow after one repair is usually a category of a small commune whose
                // categories and total are all small: more partners in its own relations cannot help (measured at
                // 14 M households: the same ≈ 30 cells failed for 40 rounds), a rectangle with a sibling territory
                // can (hypercube method); failing that, a partner in every relation that can give one.
                int failed = failures.merge(weak.id(), 1, Integer::sum);
                added |= failed == 1
                        ? SecondarySuppression.strengthen(t, p, weak, rels)
                        : SecondarySuppression.strengthenRectangle(t, p, weak, relationsOf)
                        || SecondarySuppression.strengthenEverywhere(t, p, weak, rels);
            }
            LOG.info("audit round {}: {} ms, {} LPs, {} cells too narrowly bounded", rounds, result.millis(),
                    result.lpSolved(), result.failures().size());
            if (rounds >= 3) {
                result.failures().stream().limit(5).forEach(f -> LOG.info("too narrow: {} in [{}, {}], needs {}",
                        t.cell(f.cell()), f.low(), f.high(), f.required()));
                if (LOG.isDebugEnabled()) {
                    result.failures().stream().limit(2).forEach(f -> LOG.debug("relations of {}:{}",
                            t.cell(f.cell()), describe(t, f.cell(), relationsOf)));
                }
            }
            if (!added) {
                LOG.warn("audit failed and no published cell is left to suppress: {} cells exposed",
                        result.failures().size());
                break;
            }
            changed = t.cells().stream().filter(c -> c.suppressed() && !before[c.id()]).mapToInt(Cell::id).toArray();
        }
        if (!result.passed()) {
            // a refusal rests on the reference solver: every too-narrow cell solved again by ojAlgo
            result = audit.confirming().audit(t, p, relationsOf);
            auditMillis += result.millis();
            LOG.info("audit confirmed by ojAlgo: {} cells too narrowly bounded", result.failures().size());
        }
        SecondarySuppression.propagateDependencies(t);
        Map<CellStatus, Long> counts = new EnumMap<>(CellStatus.class);
        for (CellStatus s : CellStatus.values()) {
            counts.put(s, t.count(s));
        }
        return new Outcome(result.passed(), counts, result, rounds, auditMillis, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Each relation of a cell, its total then its parts with status, value and audited interval (diagnosis). */
    static String describe(DisclosureTable t, int cell, List<List<Integer>> relationsOf) {
        StringBuilder b = new StringBuilder();
        for (int k : relationsOf.get(cell)) {
            Relation r = t.relations().get(k);
            b.append("\n  ").append(brief(t.cell(r.total()))).append(" =");
            for (int m : r.parts()) {
                b.append(' ').append(brief(t.cell(m)));
            }
        }
        return b.toString();
    }

    private static String brief(Cell c) {
        return c.suppressed() && c.auditLow() != null
                ? c + "∈[" + c.auditLow() + "," + c.auditHigh() + "]"
                : c.toString();
    }

    private static boolean stillWeak(Cell c, LinearAudit.Interval f) {
        return c.suppressed() && !f.enough();
    }

    /** Audits a table whose suppression pattern was set by someone else (no repair): used to check a pattern. */
    public static LinearAudit.Result auditOnly(DisclosureTable t, DisclosurePolicy p) {
        return new LinearAudit().confirming().audit(t, p);
    }

    /** For tests and tools: forces a cell's status (e.g. a hand-made, deliberately weak pattern). */
    public static void suppress(Cell c, CellStatus s) {
        c.suppress(s);
    }
}
