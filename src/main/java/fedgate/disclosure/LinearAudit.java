package fedgate.disclosure;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Rule 5, the audit (as τ-ARGUS "audit" / sdcTable {@code attack()}): for each suppressed additive cell, the minimum
 * and maximum of its value by linear programming given every published cell, every relation and non-negativity.
 * The problem splits by connected component of the relation graph restricted to suppressed cells (two suppressed
 * cells are connected when they share a relation), so each LP is small; intervals of a component are cached by its
 * set of cells, which makes re-audits after a repair cheap.
 */
public final class LinearAudit {

    private static final double EPS = 1e-6;

    /** The audited interval of a suppressed cell; {@code high} is infinite when nothing bounds it above. */
    public record Interval(int cell, double low, double high, double required, boolean enough) {
        public double width() {
            return high - low;
        }
    }

    public record Result(List<Interval> intervals, int components, int largestComponent, int lpSolved, long millis) {
        public boolean passed() {
            return intervals.stream().allMatch(Interval::enough);
        }

        public List<Interval> failures() {
            return intervals.stream().filter(i -> !i.enough()).toList();
        }
    }

    private final Map<String, double[][]> cache = new HashMap<>();
    private int lpSolved;

    public Result audit(DisclosureTable t, DisclosurePolicy p) {
        long t0 = System.nanoTime();
        lpSolved = 0;
        List<List<Integer>> relationsOf = relationsByCell(t);
        int n = t.cells().size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (Relation r : t.relations()) {
            int first = -1;
            for (int m : r.members()) {
                if (t.cell(m).suppressed()) {
                    if (first < 0) {
                        first = m;
                    } else {
                        union(parent, first, m);
                    }
                }
            }
        }
        Map<Integer, List<Integer>> components = new LinkedHashMap<>();
        for (Cell c : t.cells()) {
            if (c.suppressed() && c.kind().additive()) {
                components.computeIfAbsent(find(parent, c.id()), k -> new ArrayList<>()).add(c.id());
            }
        }
        double cap = 1e6;
        for (Cell c : t.cells()) {
            if (c.kind().additive()) {
                cap = Math.max(cap, 10 * Math.abs(c.value()));
            }
        }
        List<Interval> out = new ArrayList<>();
        int largest = 0;
        for (List<Integer> comp : components.values()) {
            largest = Math.max(largest, comp.size());
            double[][] bounds = solve(t, comp, relationsOf, cap);
            for (int k = 0; k < comp.size(); k++) {
                Cell c = t.cell(comp.get(k));
                double lo = bounds[k][0];
                double hi = bounds[k][1] >= cap * (1 - EPS) ? Double.POSITIVE_INFINITY : bounds[k][1];
                double need = p.requiredWidth(c);
                boolean enough = hi - lo + EPS * Math.max(1, need) >= need;
                c.auditInterval(lo, hi);
                out.add(new Interval(c.id(), lo, hi, need, enough));
            }
        }
        return new Result(out, components.size(), largest, lpSolved, (System.nanoTime() - t0) / 1_000_000);
    }

    static List<List<Integer>> relationsByCell(DisclosureTable t) {
        List<List<Integer>> rel = new ArrayList<>(t.cells().size());
        for (int i = 0; i < t.cells().size(); i++) {
            rel.add(new ArrayList<>(2));
        }
        List<Relation> rs = t.relations();
        for (int k = 0; k < rs.size(); k++) {
            for (int m : rs.get(k).members()) {
                rel.get(m).add(k);
            }
        }
        return rel;
    }

    private double[][] solve(DisclosureTable t, List<Integer> comp, List<List<Integer>> relationsOf, double cap) {
        String key = comp.toString();
        double[][] cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        TreeSet<Integer> rels = new TreeSet<>();
        for (int id : comp) {
            rels.addAll(relationsOf.get(id));
        }
        double[][] bounds = new double[comp.size()][];
        if (rels.isEmpty()) {
            Arrays.setAll(bounds, k -> new double[] {0, cap});
            cache.put(key, bounds);
            return bounds;
        }
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        Map<Integer, Variable> vars = new HashMap<>();
        for (int id : comp) {
            vars.put(id, model.addVariable("c" + id).lower(0).upper(cap));
        }
        for (int k : rels) {
            Relation r = t.relations().get(k);
            // Σ parts − total = 0, published members moved to the right-hand side
            double rhs = 0;
            Expression e = model.addExpression("r" + k);
            for (int m : r.parts()) {
                if (vars.containsKey(m)) {
                    e.set(vars.get(m), 1);
                } else {
                    rhs -= t.cell(m).value();
                }
            }
            if (vars.containsKey(r.total())) {
                e.set(vars.get(r.total()), -1);
            } else {
                rhs += t.cell(r.total()).value();
            }
            // amounts are published to the cent: allow each member its half-cent of rounding
            double tol = t.cell(r.total()).kind() == CellKind.AMOUNT ? 0.005 * (r.parts().length + 1) : 1e-7;
            e.lower(rhs - tol).upper(rhs + tol);
        }
        for (int k = 0; k < comp.size(); k++) {
            Variable v = vars.get(comp.get(k));
            v.weight(1);
            double lo = optimum(model.minimise(), v, t.cell(comp.get(k)));
            double hi = optimum(model.maximise(), v, t.cell(comp.get(k)));
            v.weight(0);
            bounds[k] = new double[] {Math.max(0, lo), hi};
        }
        cache.put(key, bounds);
        return bounds;
    }

    private double optimum(Optimisation.Result r, Variable v, Cell cell) {
        lpSolved++;
        if (r.getState() == Optimisation.State.UNBOUNDED) {
            return Double.POSITIVE_INFINITY;
        }
        if (!r.getState().isFeasible()) {
            // the true values satisfy every relation, so this is a bug, never a pass
            throw new IllegalStateException("audit LP " + r.getState() + " for cell " + cell);
        }
        return r.getValue();
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
