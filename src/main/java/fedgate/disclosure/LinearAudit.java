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
import java.util.Set;
import java.util.HashSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rule 5, the audit (as τ-ARGUS "audit" / sdcTable {@code attack()}): for each suppressed additive cell, the minimum
 * and maximum of its value by linear programming given every published cell, every relation and non-negativity.
 *
 * <p>The problem splits by connected component of the relation graph restricted to suppressed cells (two suppressed
 * cells are connected when they share a relation): cells of different components share no unknown, so each component
 * is an independent LP. Components are solved in parallel ({@code threads}); results are gathered in component
 * order, so the outcome does not depend on scheduling. Intervals are cached by the set of unknowns of the LP, which
 * makes re-audits after a repair cheap (only the components that changed are solved again).
 *
 * <p>Speed at national scale (hundreds of thousands of suppressed cells) comes from three things, none of which can
 * turn a failing table into a passing one:
 * <ul>
 *   <li><b>Proof by LP solutions.</b> For an LP with more than {@value #EXACT_UP_TO} unknowns, two LPs (min and max
 *   of Σ x/required) plus the true table give three feasible points; the feasible set being convex, each cell's
 *   interval contains the range it spans over them. A cell whose range reaches its required width is proven
 *   protected; the others get their own exact min and max LPs.</li>
 *   <li><b>Capped LP size.</b> A component with more than {@code maxLpCells} suppressed cells is cut into connected
 *   blocks of at most {@code maxLpCells}; each block is solved with every suppressed cell outside it fixed at its
 *   true value. Fixing unknowns only adds constraints, so a block's intervals are contained in the attacker's true
 *   intervals: a cell that passes on its block passes on the whole table (the error can only be towards more
 *   protection, i.e. a needless extra suppression).</li>
 *   <li><b>Parallel components</b> on {@code threads} threads, gathered in component order (scheduling-independent).</li>
 * </ul>
 * Intervals that are only lower bounds of the true one (proven, or from a block) carry {@code exact = false} and are
 * reported as such.
 */
public final class LinearAudit {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LinearAudit.class);

    private static final double EPS = 1e-6;
    /** Default cap on the unknowns of one LP. */
    public static final int DEFAULT_MAX_LP_CELLS = 300;
    /** Default number of threads solving components (the target machine has 2 cores). */
    public static final int DEFAULT_THREADS = 2;
    /** LPs with at most this many unknowns get the exact min and max of every cell (no proof by LP solutions). */
    static final int EXACT_UP_TO = 8;

    /**
     * The audited interval of a suppressed cell; {@code high} is infinite when nothing bounds it above.
     * {@code exact} is false when the interval is a sub-interval of the attacker's interval (proven by LP solutions,
     * or audited on a capped block): a conservative answer.
     */
    public record Interval(int cell, double low, double high, double required, boolean enough, boolean exact) {
        public double width() {
            return high - low;
        }
    }

    public record Result(List<Interval> intervals, int components, int largestComponent, int lpSolved,
                         int cappedComponents, long millis) {
        public boolean passed() {
            return intervals.stream().allMatch(Interval::enough);
        }

        public List<Interval> failures() {
            return intervals.stream().filter(i -> !i.enough()).toList();
        }
    }

    static {
        // Presolve (BigDecimal arithmetic) dominates the time of these small models; it is an optimisation only.
        // ojAlgo is used by the audit alone in fedgate.
        ExpressionsBasedModel.clearPresolvers();
    }

    private final Map<List<Integer>, double[][]> cache = new ConcurrentHashMap<>();
    private final AtomicInteger lpSolved = new AtomicInteger();
    private final int maxLpCells;
    private final int threads;

    public LinearAudit() {
        this(DEFAULT_MAX_LP_CELLS, DEFAULT_THREADS);
    }

    public LinearAudit(int maxLpCells, int threads) {
        if (maxLpCells < 1 || threads < 1) {
            throw new IllegalArgumentException("maxLpCells and threads must be positive");
        }
        this.maxLpCells = maxLpCells;
        this.threads = threads;
    }

    public Result audit(DisclosureTable t, DisclosurePolicy p) {
        return audit(t, p, relationsByCell(t));
    }

    public Result audit(DisclosureTable t, DisclosurePolicy p, List<List<Integer>> relationsOf) {
        long t0 = System.nanoTime();
        lpSolved.set(0);
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
        Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
        for (Cell c : t.cells()) {
            if (c.suppressed() && c.kind().additive()) {
                byRoot.computeIfAbsent(find(parent, c.id()), k -> new ArrayList<>()).add(c.id());
            }
        }
        double cap0 = 1e6;
        for (Cell c : t.cells()) {
            if (c.kind().additive()) {
                cap0 = Math.max(cap0, 10 * Math.abs(c.value()));
            }
        }
        final double cap = cap0;
        List<List<Integer>> components = new ArrayList<>(byRoot.values());
        // largest first, so that one big component does not finish last on one thread
        Integer[] order = new Integer[components.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(components.get(b).size(), components.get(a).size()));
        if (LOG.isInfoEnabled() && order.length > 0) {
            long cellsIn = components.stream().mapToLong(List::size).sum();
            long big = components.stream().filter(c -> c.size() > maxLpCells).count();
            long single = components.stream().filter(c -> c.size() == 1).count();
            LOG.info("audit: {} suppressed additive cells in {} components ({} single, {} over {} cells), largest {}",
                    cellsIn, components.size(), single, big, maxLpCells, components.get(order[0]).size());
        }
        @SuppressWarnings("unchecked")
        List<Interval>[] results = new List[components.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger capped = new AtomicInteger();
        Runnable worker = () -> {
            int k;
            while ((k = next.getAndIncrement()) < order.length) {
                int ci = order[k];
                List<Integer> comp = components.get(ci);
                if (comp.size() > maxLpCells) {
                    capped.incrementAndGet();
                }
                results[ci] = auditComponent(t, p, comp, relationsOf, cap);
            }
        };
        int nThreads = Math.min(threads, Math.max(1, components.size()));
        if (nThreads <= 1) {
            worker.run();
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(nThreads, r -> {
                Thread th = new Thread(r, "fedgate-audit");
                th.setDaemon(true);
                return th;
            });
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < nThreads; i++) {
                    fs.add(pool.submit(worker));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("audit interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("audit failed", e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        List<Interval> out = new ArrayList<>();
        int largest = 0;
        for (int ci = 0; ci < components.size(); ci++) {
            largest = Math.max(largest, components.get(ci).size());
            for (Interval iv : results[ci]) {
                t.cell(iv.cell()).auditInterval(iv.low(), iv.high(), iv.exact());
                out.add(iv);
            }
        }
        return new Result(out, components.size(), largest, lpSolved.get(), capped.get(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    private List<Interval> auditComponent(DisclosureTable t, DisclosurePolicy p, List<Integer> comp,
                                          List<List<Integer>> relationsOf, double cap) {
        List<Interval> out = new ArrayList<>(comp.size());
        boolean whole = comp.size() <= maxLpCells;
        for (List<Integer> block : whole ? List.of(comp) : blocks(t, comp, relationsOf)) {
            double[][] bounds = solve(t, p, block, relationsOf, cap);
            for (int k = 0; k < block.size(); k++) {
                Interval iv = interval(t, p, block.get(k), bounds[k], cap, whole && bounds[k][2] > 0);
                if (!iv.enough() && !whole) {
                    // a cell near its block's edge has neighbours fixed that an attacker would not know: audit it
                    // again on a block centred on it before calling it exposed
                    List<Integer> hood = neighbourhood(t, block.get(k), comp, relationsOf);
                    double[][] b2 = solve(t, p, hood, relationsOf, cap);
                    Interval iv2 = interval(t, p, block.get(k), b2[0], cap, false);
                    if (iv2.width() > iv.width()) {
                        iv = iv2;
                    }
                }
                out.add(iv);
            }
        }
        return out;
    }

    /** The block of at most maxLpCells cells of the component reached from {@code centre}, breadth first. */
    private List<Integer> neighbourhood(DisclosureTable t, int centre, List<Integer> comp,
                                        List<List<Integer>> relationsOf) {
        Set<Integer> members = new HashSet<>(comp);
        List<Integer> hood = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        hood.add(centre);
        seen.add(centre);
        for (int head = 0; head < hood.size() && hood.size() < maxLpCells; head++) {
            for (int k : relationsOf.get(hood.get(head))) {
                for (int m : t.relations().get(k).members()) {
                    if (hood.size() < maxLpCells && members.contains(m) && seen.add(m)) {
                        hood.add(m);
                    }
                }
            }
        }
        return hood;
    }

    /** A component cut into connected blocks of at most maxLpCells cells, breadth first (deterministic). */
    private List<List<Integer>> blocks(DisclosureTable t, List<Integer> comp, List<List<Integer>> relationsOf) {
        Set<Integer> members = new HashSet<>(comp);
        Set<Integer> placed = new HashSet<>();
        List<List<Integer>> out = new ArrayList<>();
        for (int seed : comp) {
            if (placed.contains(seed)) {
                continue;
            }
            List<Integer> block = new ArrayList<>();
            block.add(seed);
            placed.add(seed);
            for (int head = 0; head < block.size() && block.size() < maxLpCells; head++) {
                for (int k : relationsOf.get(block.get(head))) {
                    for (int m : t.relations().get(k).members()) {
                        if (block.size() < maxLpCells && members.contains(m) && placed.add(m)) {
                            block.add(m);
                        }
                    }
                }
            }
            out.add(block);
        }
        return out;
    }

    private Interval interval(DisclosureTable t, DisclosurePolicy p, int id, double[] b, double cap, boolean exact) {
        Cell c = t.cell(id);
        double lo = b[0];
        double hi = b[1] >= cap * (1 - EPS) ? Double.POSITIVE_INFINITY : b[1];
        double need = p.requiredWidth(c);
        boolean enough = hi - lo + EPS * Math.max(1, need) >= need;
        return new Interval(id, lo, hi, need, enough, exact);
    }

    public static List<List<Integer>> relationsByCell(DisclosureTable t) {
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

    /**
     * Bounds {lo, hi, exact} of each cell of {@code vars}, the unknowns of the LP; every other cell of the table
     * (published, or suppressed outside {@code vars}) is a constant at its true value.
     *
     * <p>Two LPs first, minimising and maximising Σ x/required: with the true table they give three feasible points,
     * and the polytope being convex, each cell's interval contains the range its value spans over them. A cell whose
     * range already reaches its required width is proven protected by these LP solutions (exact = 0: its interval is
     * at least that range); every other cell gets its own max LP and — unless that max with the feasible points seen
     * so far proves it — its min LP (exact = 1). The optimum of each of these LPs is one more feasible point and widens
     * the range of every other cell of the LP, so most cells of a large LP are proven without LPs of their own.
     * Either way a pass is a pass
     * of the LP audit; only the width reported for proven cells is a lower bound of the true width.
     */
    private double[][] solve(DisclosureTable t, DisclosurePolicy p, List<Integer> vars,
                             List<List<Integer>> relationsOf, double cap) {
        List<Integer> key = List.copyOf(vars);
        double[][] cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        TreeSet<Integer> rels = new TreeSet<>();
        for (int id : vars) {
            rels.addAll(relationsOf.get(id));
        }
        int n = vars.size();
        double[][] bounds = new double[n][];
        if (rels.isEmpty()) {
            Arrays.setAll(bounds, k -> new double[] {0, cap, 1});
            cache.put(key, bounds);
            return bounds;
        }
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        Map<Integer, Variable> vs = new HashMap<>();
        for (int id : vars) {
            vs.put(id, model.addVariable("c" + id).lower(0).upper(cap));
        }
        for (int k : rels) {
            Relation r = t.relations().get(k);
            // Σ parts − total = 0, constant members moved to the right-hand side
            double rhs = 0;
            Expression e = model.addExpression("r" + k);
            for (int m : r.parts()) {
                if (vs.containsKey(m)) {
                    e.set(vs.get(m), 1);
                } else {
                    rhs -= t.cell(m).value();
                }
            }
            if (vs.containsKey(r.total())) {
                e.set(vs.get(r.total()), -1);
            } else {
                rhs += t.cell(r.total()).value();
            }
            // amounts are published to the cent: allow each member its half-cent of rounding
            double tol = t.cell(r.total()).kind() == CellKind.AMOUNT ? 0.005 * (r.parts().length + 1) : 1e-7;
            e.lower(rhs - tol).upper(rhs + tol);
        }
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int k = 0; k < n; k++) {
            lo[k] = hi[k] = t.cell(vars.get(k)).value();
        }
        boolean prove = n > EXACT_UP_TO;
        if (prove) {
            for (int k = 0; k < n; k++) {
                vs.get(vars.get(k)).weight(1 / Math.max(1e-9, p.requiredWidth(t.cell(vars.get(k)))));
            }
            for (boolean max : new boolean[] {false, true}) {
                Optimisation.Result r = max ? model.maximise() : model.minimise();
                lpSolved.incrementAndGet();
                absorb(r, lo, hi);
            }
            for (int k = 0; k < n; k++) {
                vs.get(vars.get(k)).weight(0);
            }
        }
        for (int k = 0; k < n; k++) {
            Cell c = t.cell(vars.get(k));
            double need = p.requiredWidth(c);
            if (prove && hi[k] - lo[k] + EPS * Math.max(1, need) >= need) {
                bounds[k] = new double[] {Math.max(0, lo[k]), hi[k], 0};
                continue;
            }
            Variable v = vs.get(vars.get(k));
            v.weight(1);
            Optimisation.Result rMax = model.maximise();
            double max = optimum(rMax, v, c);
            if (prove) {
                // every optimum is one more feasible point: it widens the proven range of every other cell too
                absorb(rMax, lo, hi);
                hi[k] = Math.max(hi[k], max);
                if (hi[k] - lo[k] + EPS * Math.max(1, need) >= need) {
                    v.weight(0);
                    bounds[k] = new double[] {Math.max(0, lo[k]), hi[k], 0};
                    continue;
                }
            }
            Optimisation.Result rMin = model.minimise();
            double min = optimum(rMin, v, c);
            if (prove) {
                absorb(rMin, lo, hi);
            }
            v.weight(0);
            bounds[k] = new double[] {Math.max(0, min), max, 1};
        }
        cache.put(key, bounds);
        return bounds;
    }

    /** Widens each cell's proven range [lo, hi] to a feasible point (an LP optimum); nothing from a non-optimum. */
    private static void absorb(Optimisation.Result r, double[] lo, double[] hi) {
        if (r.getState().isFeasible() && r.getState() != Optimisation.State.UNBOUNDED) {
            for (int k = 0; k < lo.length; k++) {
                double x = r.doubleValue(k);
                lo[k] = Math.min(lo[k], x);
                hi[k] = Math.max(hi[k], x);
            }
        }
    }

    private double optimum(Optimisation.Result r, Variable v, Cell cell) {
        lpSolved.incrementAndGet();
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
