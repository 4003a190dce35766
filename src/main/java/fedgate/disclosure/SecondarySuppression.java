package fedgate.disclosure;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Rule 4: greedy secondary suppression. Any relation with exactly one suppressed member would give it back by
 * subtraction, so the cheapest suitable published member of that relation is suppressed too; and a relation whose
 * suppressed parts add up (under a published total) to less than the protection one of them needs gets one more
 * ({@link #partnerNeeded}). Repeated to a fixed point. The LP audit is the final judge and may ask for more ({@link #strengthen}).
 */
public final class SecondarySuppression {

    private SecondarySuppression() {
    }

    /** Suppresses partners until no relation needs one ({@link #partnerNeeded}); returns the number added. */
    public static int toFixedPoint(DisclosureTable t, DisclosurePolicy p) {
        return toFixedPoint(t, p, LinearAudit.relationsByCell(t));
    }

    /**
     * Worklist form: every relation is checked once, and again only when one of its members was just suppressed —
     * linear in the table size instead of one full pass per propagation step. Relations are taken in a fixed order
     * (FIFO from the declaration order), so the pattern is deterministic.
     */
    public static int toFixedPoint(DisclosureTable t, DisclosurePolicy p, List<List<Integer>> relationsOf) {
        return toFixedPoint(t, p, relationsOf, null);
    }

    /**
     * As {@link #toFixedPoint(DisclosureTable, DisclosurePolicy, List)}, checking first only the relations of
     * {@code changed} (cells just suppressed, e.g. by an audit repair: the other relations were at their fixed point
     * already), or every relation when it is null.
     */
    public static int toFixedPoint(DisclosureTable t, DisclosurePolicy p, List<List<Integer>> relationsOf,
                                   int[] changed) {
        List<Relation> rels = t.relations();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        boolean[] queued = new boolean[rels.size()];
        if (changed == null) {
            for (int k = 0; k < rels.size(); k++) {
                queue.add(k);
                queued[k] = true;
            }
        } else {
            for (int c : changed) {
                for (int k : relationsOf.get(c)) {
                    if (!queued[k]) {
                        queued[k] = true;
                        queue.add(k);
                    }
                }
            }
        }
        int added = 0;
        while (!queue.isEmpty()) {
            int k = queue.poll();
            queued[k] = false;
            Relation r = rels.get(k);
            int partner = partnerNeeded(t, p, r);
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
        return added;
    }

    /**
     * The published member of r to suppress next, or -1 when r needs none (or has none left). Two cases:
     * <ul>
     *   <li><b>singleton</b>: exactly one suppressed member, which subtraction would give back;</li>
     *   <li><b>multiple</b>: the total is published and at least two parts are suppressed. The suppressed parts
     *   then add up to a known sum S, and each lies in [0, S]: its interval can be no wider than S. When S is below
     *   the protection a suppressed part needs, the audit would find it too narrow (e.g. two counts of 1 and 2 under a
     *   published total: both in [0, 3]), so one more part is suppressed — preferably one at least as large as the
     *   missing width, never one whose own protection the relation could not give (a policy asking more than a
     *   cell's value would otherwise suppress every part); none left, the audit decides.</li>
     * </ul>
     * Both are necessary conditions of the audit, checked locally on one relation; the audit remains the judge.
     */
    static int partnerNeeded(DisclosureTable t, DisclosurePolicy p, Relation r) {
        int suppressed = 0;
        int lone = -1;
        for (int m : r.members()) {
            if (t.cell(m).suppressed()) {
                suppressed++;
                lone = m;
            }
        }
        if (suppressed == 1) {
            return bestPartner(t, p, r, t.cell(lone));
        }
        if (suppressed < 2 || t.cell(r.total()).suppressed()) {
            return -1;
        }
        double sum = 0;
        double need = 0;
        for (int m : r.parts()) {
            Cell c = t.cell(m);
            if (c.suppressed()) {
                sum += Math.abs(c.value());
                need = Math.max(need, p.requiredWidth(c));
            }
        }
        if (sum + 1e-6 * Math.max(1, need) >= need || Math.abs(t.cell(r.total()).value()) < need) {
            return -1; // enough already, or more than the whole relation holds: nothing here can help (audit decides)
        }
        double missing = need - sum;
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int m : r.parts()) {
            Cell c = t.cell(m);
            if (c.suppressed()) {
                continue;
            }
            double v = Math.abs(c.value());
            if (v == 0 || p.requiredWidth(c) > sum + v) {
                continue; // a partner this relation could never protect would only start a cascade
            }
            double s = v >= missing ? v : 1e15 - v;
            if (s < bestScore) {
                bestScore = s;
                best = m;
            }
        }
        return best;
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

    /**
     * For a cell still too narrow after a repair: suppresses the best published member of each of its relations that
     * has one. Returns false when none is left to suppress.
     */
    public static boolean strengthenEverywhere(DisclosureTable t, DisclosurePolicy p, Cell weak,
                                               List<Relation> itsRelations) {
        boolean added = false;
        for (Relation r : itsRelations) {
            int cand = bestPartner(t, p, r, weak);
            if (cand >= 0) {
                t.cell(cand).suppress(CellStatus.SECONDARY);
                added = true;
            }
        }
        return added;
    }

    /**
     * For a cell the greedy repair leaves too narrow (typically a category of a small commune: every category and the
     * commune's total are already suppressed, and all are small): completes a <em>rectangle</em>, as the hypercube
     * method does. With {@code weak} a part of relations Ra (total Ta: its territory's total) and Rb (its siblings in
     * the parent territory), a sibling q of Rb whose own total Tq is, with Ta, a part of one relation Rt: moving weak and
     * Ta up by d and q and Tq down by d keeps Ra, Rb, Rq and Rt balanced, so weak can rise by as much as q holds.
     * Suppresses the published cells of the cheapest such rectangle whose q is at least the missing width (fewest new
     * suppressions, then smallest values). Returns false when there is none.
     */
    public static boolean strengthenRectangle(DisclosureTable t, DisclosurePolicy p, Cell weak,
                                              List<List<Integer>> relationsOf) {
        int w = weak.id();
        double room = p.requiredWidth(weak) - Math.abs(weak.value());
        int[] best = null;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int ka : relationsOf.get(w)) {
            Relation ra = t.relations().get(ka);
            int ta = ra.total();
            if (ta == w) {
                continue;
            }
            for (int kb : relationsOf.get(w)) {
                Relation rb = t.relations().get(kb);
                if (kb == ka || rb.total() == w) {
                    continue;
                }
                for (int q : rb.parts()) {
                    if (q == w || Math.abs(t.cell(q).value()) < room) {
                        continue;
                    }
                    for (int kq : relationsOf.get(q)) {
                        int tq = t.relations().get(kq).total();
                        if (kq == kb || tq == q || tq == ta || !sharePartsRelation(t, ta, tq, relationsOf)) {
                            continue;
                        }
                        int fresh = 0;
                        for (int c : new int[] {q, tq, ta}) {
                            fresh += t.cell(c).suppressed() ? 0 : 1;
                        }
                        if (fresh == 0) {
                            continue; // already there: something else pins weak, the LP audit will tell
                        }
                        double score = fresh * 1e15 + Math.abs(t.cell(q).value()) + Math.abs(t.cell(tq).value());
                        if (score < bestScore) {
                            bestScore = score;
                            best = new int[] {q, tq, ta};
                        }
                    }
                }
            }
        }
        if (best == null) {
            return false;
        }
        for (int c : best) {
            t.cell(c).suppress(CellStatus.SECONDARY);
        }
        return true;
    }

    /** Whether some relation has both a and b among its parts. */
    private static boolean sharePartsRelation(DisclosureTable t, int a, int b, List<List<Integer>> relationsOf) {
        for (int k : relationsOf.get(a)) {
            Relation r = t.relations().get(k);
            if (r.total() == a || r.total() == b) {
                continue;
            }
            for (int m : r.parts()) {
                if (m == b) {
                    return true;
                }
            }
        }
        return false;
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
     * used figures, so they come after; zeros last of all.
     */
    private static double score(DisclosureTable t, DisclosurePolicy p, Relation r, Cell forCell, Cell candidate) {
        double need = p.requiredWidth(forCell);
        double v = Math.abs(candidate.value());
        double s = v >= need ? v : 1e15 - v;
        if (candidate.id() == r.total()) {
            s += 1e16;
        }
        if (v == 0) {
            // a zero is usually pinned at zero by another relation (a published total of 0 over non-negative
            // parts): suppressing it protects nothing and leaves a cell the audit can never pass. Last resort only.
            s += 1e17;
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
