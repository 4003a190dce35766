package fedgate.disclosure;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
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
 * The LPs are solved by {@link IntervalLp} (warm-started simplex, every returned point checked against every
 * relation); before a refusal, every cell found too narrow is solved again by ojAlgo, whose optimum is the verdict
 * ({@link #confirming()}).
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
    private final boolean confirm;

    public LinearAudit() {
        this(DEFAULT_MAX_LP_CELLS, DEFAULT_THREADS);
    }

    public LinearAudit(int maxLpCells, int threads) {
        this(maxLpCells, threads, false);
    }

    private LinearAudit(int maxLpCells, int threads, boolean confirm) {
        if (maxLpCells < 1 || threads < 1) {
            throw new IllegalArgumentException("maxLpCells and threads must be positive");
        }
        this.maxLpCells = maxLpCells;
        this.threads = threads;
        this.confirm = confirm;
    }

    /**
     * The same audit, every too-narrow cell solved again by ojAlgo, the reference solver, whose optimum is then the
     * verdict. A refusal rests on it: a repair round may act on IntervalLp's verdict (at worst one needless
     * suppression), a refusal may not.
     */
    public LinearAudit confirming() {
        return new LinearAudit(maxLpCells, threads, true);
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
        boolean enough = wideEnough(lo, hi, need);
        return new Interval(id, lo, hi, need, enough, exact);
    }

    /**
     * For each cell, the indices of the relations it belongs to (ascending). Stored as two int arrays (offsets and
     * indices) behind a read-only list view: at national scale a list per cell meant 2.27 M lists and millions of
     * boxed indices for the collector.
     */
    public static List<List<Integer>> relationsByCell(DisclosureTable t) {
        int n = t.cells().size();
        int[] start = new int[n + 1];
        List<Relation> rs = t.relations();
        for (Relation r : rs) {
            for (int m : r.parts()) {
                start[m + 1]++;
            }
            start[r.total() + 1]++;
        }
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] flat = new int[start[n]];
        int[] fill = Arrays.copyOf(start, n);
        for (int k = 0; k < rs.size(); k++) {
            Relation r = rs.get(k);
            for (int m : r.parts()) {
                flat[fill[m]++] = k;
            }
            flat[fill[r.total()]++] = k;
        }
        return new RelationIndex(start, flat);
    }

    /** The relations of every cell, as offsets into one array of relation indices (read-only). */
    private static final class RelationIndex extends AbstractList<List<Integer>> implements RandomAccess {
        private final int[] start;
        private final int[] flat;

        RelationIndex(int[] start, int[] flat) {
            this.start = start;
            this.flat = flat;
        }

        @Override
        public List<Integer> get(int cell) {
            int from = start[cell];
            int to = start[cell + 1];
            return new AbstractList<>() {
                @Override
                public Integer get(int j) {
                    Objects.checkIndex(j, to - from);
                    return flat[from + j];
                }

                @Override
                public int size() {
                    return to - from;
                }
            };
        }

        @Override
        public int size() {
            return start.length - 1;
        }
    }

    /**
     * Bounds {lo, hi, exact} of each cell of {@code vars}, the unknowns of the LP; every other cell of the table
     * (published, or suppressed outside {@code vars}) is a constant at its true value.
     *
     * <p>The LPs are solved by {@link IntervalLp}, a simplex that makes the region feasible once and then answers
     * every objective warm-started from the previous optimum (ojAlgo rebuilds and re-solves the model for each, which
     * made the audit of the national table cost a minute). Two LPs first, minimising and maximising Σ x/required:
     * with the true table they give three feasible points, and the polytope being convex, each cell's interval
     * contains the range its value spans over them. A cell whose range already reaches its required width is proven
     * protected (exact = 0: its interval is at least that range); every other cell gets its own max LP and — unless
     * that max with the points seen so far proves it — its min LP (exact = 1). Every optimum is one more feasible
     * point and widens the range of every other cell, so most cells of a large LP are proven without LPs of their own.
     *
     * <p>Why a pass can be trusted: every point IntervalLp returns has been checked against every relation and bound
     * of the LP, so a proven range rests on verified feasible points whatever the simplex did. In a
     * {@link #confirming()} audit a cell found too narrow is solved again with ojAlgo (min and max, the reference
     * solver), whose answer is the verdict: a refusal rests on ojAlgo's optimum.
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
        Rows rows = rows(t, vars, rels);
        double[] lower = new double[n];
        double[] upper = new double[n];
        double[] truth = new double[n];
        Arrays.fill(upper, cap);
        for (int k = 0; k < n; k++) {
            truth[k] = t.cell(vars.get(k)).value();
        }
        IntervalLp lp = new IntervalLp(n, lower, upper, rows.idx, rows.coef, rows.lo, rows.hi, truth);
        if (!lp.feasible()) {
            // the true values satisfy every relation, so this is a bug, never a pass
            throw new IllegalStateException("audit LP infeasible for cells " + vars);
        }
        double[] lo = truth.clone();
        double[] hi = truth.clone();
        boolean prove = n > EXACT_UP_TO;
        if (prove) {
            double[] w = new double[n];
            for (int k = 0; k < n; k++) {
                w[k] = 1 / Math.max(1e-9, p.requiredWidth(t.cell(vars.get(k))));
            }
            absorb(lp.minimise(w).x(), lo, hi);
            absorb(lp.maximise(w).x(), lo, hi);
            lpSolved.addAndGet(2);
        }
        double[] e = new double[n];
        for (int k = 0; k < n; k++) {
            double need = p.requiredWidth(t.cell(vars.get(k)));
            if (prove && wideEnough(lo[k], hi[k], need)) {
                bounds[k] = new double[] {Math.max(0, lo[k]), hi[k], 0};
                continue;
            }
            e[k] = 1;
            IntervalLp.Solution max = lp.maximise(e);
            lpSolved.incrementAndGet();
            absorb(max.x(), lo, hi);
            if (prove && wideEnough(lo[k], hi[k], need)) {
                e[k] = 0;
                bounds[k] = new double[] {Math.max(0, lo[k]), hi[k], 0};
                continue;
            }
            IntervalLp.Solution min = lp.minimise(e);
            lpSolved.incrementAndGet();
            absorb(min.x(), lo, hi);
            e[k] = 0;
            bounds[k] = new double[] {Math.max(0, min.value()), max.value(), 1};
            if (confirm && !wideEnough(bounds[k][0], bounds[k][1], need)) {
                bounds[k] = referenceBounds(t, vars, rows, cap, k);
            }
        }
        cache.put(key, bounds);
        return bounds;
    }

    /** Whether [lo, hi] reaches the required width (up to the LP's rounding). */
    private static boolean wideEnough(double lo, double hi, double need) {
        return hi - lo + EPS * Math.max(1, need) >= need;
    }

    /** The relations of an LP as rows over its unknowns: Σ parts − total, constants moved to the bounds. */
    private record Rows(int[][] idx, double[][] coef, double[] lo, double[] hi) {
    }

    private static Rows rows(DisclosureTable t, List<Integer> vars, TreeSet<Integer> rels) {
        Map<Integer, Integer> pos = new HashMap<>();
        for (int k = 0; k < vars.size(); k++) {
            pos.put(vars.get(k), k);
        }
        int m = rels.size();
        int[][] idx = new int[m][];
        double[][] coef = new double[m][];
        double[] lo = new double[m];
        double[] hi = new double[m];
        int i = 0;
        for (int k : rels) {
            Relation r = t.relations().get(k);
            int[] ix = new int[r.parts().length + 1];
            double[] cf = new double[ix.length];
            int used = 0;
            double rhs = 0;
            for (int c : r.parts()) {
                Integer at = pos.get(c);
                if (at != null) {
                    ix[used] = at;
                    cf[used++] = 1;
                } else {
                    rhs -= t.cell(c).value();
                }
            }
            Integer at = pos.get(r.total());
            if (at != null) {
                ix[used] = at;
                cf[used++] = -1;
            } else {
                rhs += t.cell(r.total()).value();
            }
            // amounts are published to the cent: allow each member its half-cent of rounding
            double tol = t.cell(r.total()).kind() == CellKind.AMOUNT ? 0.005 * (r.parts().length + 1) : 1e-7;
            idx[i] = Arrays.copyOf(ix, used);
            coef[i] = Arrays.copyOf(cf, used);
            lo[i] = rhs - tol;
            hi[i] = rhs + tol;
            i++;
        }
        return new Rows(idx, coef, lo, hi);
    }

    /** Min and max of unknown k by ojAlgo, the reference solver (exact = 1): the verdict on a too-narrow cell. */
    private double[] referenceBounds(DisclosureTable t, List<Integer> vars, Rows rows, double cap, int k) {
        ExpressionsBasedModel model = new ExpressionsBasedModel();
        Variable[] v = new Variable[vars.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = model.addVariable("c" + vars.get(j)).lower(0).upper(cap);
        }
        for (int i = 0; i < rows.idx.length; i++) {
            Expression e = model.addExpression("r" + i);
            for (int j = 0; j < rows.idx[i].length; j++) {
                e.set(v[rows.idx[i][j]], rows.coef[i][j]);
            }
            e.lower(rows.lo[i]).upper(rows.hi[i]);
        }
        Cell c = t.cell(vars.get(k));
        v[k].weight(1);
        double max = optimum(model.maximise(), c);
        double min = optimum(model.minimise(), c);
        return new double[] {Math.max(0, min), max, 1};
    }

    /** Widens each cell's proven range [lo, hi] to a feasible point. */
    private static void absorb(double[] x, double[] lo, double[] hi) {
        for (int k = 0; k < lo.length; k++) {
            lo[k] = Math.min(lo[k], x[k]);
            hi[k] = Math.max(hi[k], x[k]);
        }
    }

    private double optimum(Optimisation.Result r, Cell cell) {
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
