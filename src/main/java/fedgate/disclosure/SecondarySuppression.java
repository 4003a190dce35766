package fedgate.disclosure;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Rule 4: greedy secondary suppression. Any relation with exactly one suppressed member would give it back by
 * subtraction, so the cheapest suitable published member of that relation is suppressed too; repeated to a fixed
 * point. The LP audit is the final judge and may ask for more ({@link #strengthen}).
 */
public final class SecondarySuppression {

    private SecondarySuppression() {
    }

    /** Suppresses partners until no relation has exactly one suppressed member; returns the number added. */
    public static int toFixedPoint(DisclosureTable t, DisclosurePolicy p) {
        return toFixedPoint(t, p, LinearAudit.relationsByCell(t));
    }

    /**
     * Worklist form: every relation is checked once, and again only when one of its members was just suppressed —
     * linear in the table size instead of one full pass per propagation step. Relations are taken in a fixed order
     * (FIFO from the declaration order), so the pattern is deterministic.
     */
    public static int toFixedPoint(DisclosureTable t, DisclosurePolicy p, List<List<Integer>> relationsOf) {
        List<Relation> rels = t.relations();
        ArrayDeque<Integer> queue = new ArrayDeque<>(rels.size());
        boolean[] queued = new boolean[rels.size()];
        for (int k = 0; k < rels.size(); k++) {
            queue.add(k);
            queued[k] = true;
        }
        int added = 0;
        while (!queue.isEmpty()) {
            int k = queue.poll();
            queued[k] = false;
            Relation r = rels.get(k);
            int suppressed = 0;
            int lone = -1;
            for (int m : r.members()) {
                if (t.cell(m).suppressed()) {
                    suppressed++;
                    lone = m;
                }
            }
            if (suppressed == 1) {
                int partner = bestPartner(t, p, r, t.cell(lone));
                if (partner >= 0) {
                    t.cell(partner).suppress(CellStatus.SECONDARY);
                    added++;
                    for (int k2 : relationsOf.get(partner)) {
                        if (!queued[k2]) {
                            queued[k2] = true;
                            queue.add(k2);
                        }
                    }
                }
            }
        }
        return added;
    }

    /**
     * After a failed audit: for a cell whose interval is too narrow, suppresses one more published member of one of
     * its relations (the cheapest suitable over all of them). Returns false when none is left to suppress.
     */
    public static boolean strengthen(DisclosureTable t, DisclosurePolicy p, Cell weak, List<Relation> itsRelations) {
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (Relation r : itsRelations) {
            int cand = bestPartner(t, p, r, weak);
            if (cand >= 0) {
                double s = score(t, p, r, weak, t.cell(cand));
                if (s < bestScore) {
                    bestScore = s;
                    best = cand;
                }
            }
        }
        if (best < 0) {
            return false;
        }
        t.cell(best).suppress(CellStatus.SECONDARY);
        return true;
    }

    /** The published member of r whose suppression best protects {@code forCell}, or -1. */
    static int bestPartner(DisclosureTable t, DisclosurePolicy p, Relation r, Cell forCell) {
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int m : r.members()) {
            Cell c = t.cell(m);
            if (c.suppressed()) {
                continue;
            }
            double s = score(t, p, r, forCell, c);
            if (s < bestScore || (s == bestScore && m < best)) {
                bestScore = s;
                best = m;
            }
        }
        return best;
    }

    /**
     * Lower is better. A partner at least as large as the protection the suppressed cell needs can hide it; among
     * those the smallest loses least information. Totals (a commune, the EPCI, an {@code ensemble}) are the most
     * used figures, so they come last.
     */
    private static double score(DisclosureTable t, DisclosurePolicy p, Relation r, Cell forCell, Cell candidate) {
        double need = p.requiredWidth(forCell);
        double v = Math.abs(candidate.value());
        double s = v >= need ? v : 1e15 - v;
        if (candidate.id() == r.total()) {
            s += 1e16;
        }
        return s;
    }

    /** Non-additive cells follow the cells they reveal (a coverage rate times the public INSEE population). */
    public static int propagateDependencies(DisclosureTable t) {
        int added = 0;
        for (Cell c : t.cells()) {
            if (!c.suppressed()) {
                for (int d : c.dependsOn()) {
                    if (t.cell(d).suppressed()) {
                        c.suppress(t.cell(d).status() == CellStatus.TERRITORY ? CellStatus.TERRITORY : CellStatus.SECONDARY);
                        added++;
                        break;
                    }
                }
            }
        }
        return added;
    }
}
