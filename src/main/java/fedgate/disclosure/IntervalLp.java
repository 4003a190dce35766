package fedgate.disclosure;

import java.util.Arrays;

/**
 * An exact, dense, bounded-variable primal simplex for the audit's LPs: one feasible region, many objectives.
 *
 * <pre>
 *   variables x_j, lower_j ≤ x_j ≤ upper_j      (all finite)
 *   rows i:   lo_i ≤ Σ_j a_ij x_j ≤ hi_i         (lo_i == hi_i for an equality)
 * </pre>
 *
 * <p>Each row gets a bounded slack s_i ∈ [lo_i, hi_i] (a·x − s = 0), so every row is an equality and every column is
 * bounded. The region is made feasible once, in the constructor (phase 1, artificial variables only for the rows the
 * starting point violates); every {@link #maximise}/{@link #minimise} then runs phase 2 only, warm-started from the
 * previous optimal basis, which stays primal feasible because the region never changes.
 *
 * <p>The starting point is the known feasible point when one is given (the true table values), otherwise the lower
 * bounds. A starting value strictly between its bounds is a nonbasic "superbasic" column: pricing may move it either
 * way, and it leaves that state for good once moved (to a bound, or into the basis). With a feasible starting point
 * phase 1 has nothing to do; the solver does not need that point to be a vertex, nor to be given at all.
 *
 * <p>Numerics: the tableau B⁻¹A is kept in full (m × (n + m + artificials)); pricing is Dantzig's (largest reduced
 * cost), with Bland's rule after {@value #DEGENERATE_BEFORE_BLAND} degenerate pivots in a row (anti-cycling); the ratio
 * test takes the exact minimum ratio and breaks ties (within a few ulps) by the largest pivot, so basic values never
 * leave their bounds beyond rounding. Every returned point is checked against every row and bound (tolerance 1e-9 of
 * the row's terms plus 1e-14 of the problem's magnitude); the basic values are recomputed from B⁻¹ (the tableau's
 * columns of the starting basis) every {@value #RECOMPUTE_EVERY} solves and whenever that check fails; if it still
 * fails, the tableau is rebuilt from the original matrix for the current basis (Gauss–Jordan), and failing that the LP
 * is solved again from scratch, from the last point. Should the simplex stall (iteration limit), it starts again from
 * scratch with Bland's rule from the first pivot, for good.
 *
 * <p>Cost: the tableau is dense, m × (n + m + artificials) doubles; a pivot costs m × (non-zeros of the pivot row).
 * At the audit's sizes (≤ 300 unknowns, a few hundred rows) that is a few MB per instance and well under a
 * millisecond per objective once warm.
 *
 * <p>Not thread-safe: one instance per LP (per thread).
 */
final class IntervalLp {

    /**
     * An optimum: its objective value (c·x of the returned x) and an optimal point, feasible (every row and bound
     * within tolerance), a fresh array. It is a vertex, except that starting values between their bounds that no
     * objective ever moved (reduced cost 0 throughout) keep their starting value.
     */
    record Solution(double value, double[] x) {
    }

    static final int DEGENERATE_BEFORE_BLAND = 50;
    static final int RECOMPUTE_EVERY = 32;
    /** Checks every simplex step (slow): -Dintervallp.debug=true. */
    static final boolean DEBUG = Boolean.getBoolean("intervallp.debug");
    private static final double PIVOT_TOL = 1e-9;
    private static final double DROP = 1e-13;
    private static final double CHECK_REL = 1e-9;
    private static final double SCALE_REL = 1e-14;

    private final int n;
    private final int m;
    private final double[] lower;
    private final double[] upper;
    private final int[][] rowIdx;
    private final double[][] rowCoef;
    private final double[] rowLo;
    private final double[] rowHi;

    // the current simplex state (rebuilt by coldStart)
    private int cols;
    private double[] lb;
    private double[] ub;
    private double[][] a0;      // the original matrix, rows scaled so that the starting basis is the identity
    private int[] initial;      // column of the starting basis in row i (so T[:, initial[i]] = B⁻¹ e_i)
    private double[][] t;       // the tableau B⁻¹ A0
    private int[] basis;        // row -> basic column
    private int[] where;        // column -> row, or -1 when nonbasic
    private double[] x;         // value of every column
    private double[] d;         // reduced costs of the current objective
    private boolean feasible;
    private final double rhsScale;

    private boolean blandOnly;  // set for good after a stall: Bland's rule from the first pivot
    private long pivots;
    private long solves;
    private int rebuilds;

    IntervalLp(int n, double[] lower, double[] upper, int[][] rowIdx, double[][] rowCoef, double[] rowLo,
               double[] rowHi) {
        this(n, lower, upper, rowIdx, rowCoef, rowLo, rowHi, null);
    }

    /**
     * @param n       number of variables
     * @param lower   finite lower bounds (copied)
     * @param upper   finite upper bounds (copied)
     * @param rowIdx  row i's variables (kept, not copied: do not modify afterwards)
     * @param rowCoef row i's coefficients, parallel to rowIdx (kept, not copied)
     * @param rowLo   row i's lower end (copied)
     * @param rowHi   row i's upper end, ≥ rowLo (copied)
     * @param x0 a point believed feasible (may be null, need not be a vertex nor even feasible: it is only where
     *           phase 1 starts)
     */
    IntervalLp(int n, double[] lower, double[] upper, int[][] rowIdx, double[][] rowCoef, double[] rowLo,
               double[] rowHi, double[] x0) {
        if (lower.length != n || upper.length != n || rowCoef.length != rowIdx.length
                || rowLo.length != rowIdx.length || rowHi.length != rowIdx.length) {
            throw new IllegalArgumentException("inconsistent dimensions");
        }
        for (int j = 0; j < n; j++) {
            if (!Double.isFinite(lower[j]) || !Double.isFinite(upper[j]) || lower[j] > upper[j]) {
                throw new IllegalArgumentException("bounds of x" + j + " must be finite and ordered");
            }
        }
        for (int i = 0; i < rowIdx.length; i++) {
            if (rowIdx[i].length != rowCoef[i].length || !(rowLo[i] <= rowHi[i])) {
                throw new IllegalArgumentException("row " + i + " is malformed");
            }
        }
        this.n = n;
        this.m = rowIdx.length;
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.rowIdx = rowIdx;
        this.rowCoef = rowCoef;
        this.rowLo = rowLo.clone();
        this.rowHi = rowHi.clone();
        double sc = 1;
        for (int i = 0; i < m; i++) {
            sc = Math.max(sc, Math.max(Math.abs(rowLo[i]), Math.abs(rowHi[i])));
        }
        if (x0 != null) {
            for (double v : x0) {
                sc = Math.max(sc, Double.isFinite(v) ? Math.abs(v) : 0);
            }
        }
        this.rhsScale = sc;
        coldStart(x0);
    }

    /** False when the rows and bounds admit no point (then maximise and minimise throw). */
    boolean feasible() {
        return feasible;
    }

    long pivots() {
        return pivots;
    }

    int rebuilds() {
        return rebuilds;
    }

    Solution maximise(double[] c) {
        return solve(c, 1);
    }

    Solution minimise(double[] c) {
        return solve(c, -1);
    }

    private Solution solve(double[] c, int sense) {
        if (c.length != n) {
            throw new IllegalArgumentException("objective has " + c.length + " coefficients, not " + n);
        }
        if (!feasible) {
            throw new IllegalStateException("the LP is infeasible");
        }
        solves++;
        for (int attempt = 0; ; attempt++) {
            double[] cost = new double[cols]; // cols changes on a cold restart
            for (int j = 0; j < n; j++) {
                cost[j] = sense * c[j];
            }
            try {
                simplex(cost);
            } catch (Stalled e) {
                // Dantzig with the Bland fallback went round in circles (rounding): again from scratch, Bland only
                if (blandOnly || attempt > 1) {
                    throw new IllegalStateException("the simplex stalls, even with Bland's rule alone");
                }
                rebuilds++;
                blandOnly = true;
                coldStart(point());
                if (!feasible) {
                    throw new IllegalStateException("the LP became infeasible on a cold restart (numerical trouble)");
                }
                continue;
            }
            double[] pt = point();
            // the basic values are updated step by step; they are recomputed from B⁻¹ every RECOMPUTE_EVERY solves
            // (and whenever the point fails its check) so that rounding does not pile up
            boolean ok = solves % RECOMPUTE_EVERY != 0 && check(pt);
            if (!ok) {
                recomputeBasics();
                pt = point();
                ok = check(pt);
            }
            if (ok) {
                double v = 0;
                for (int j = 0; j < n; j++) {
                    v += c[j] * pt[j];
                }
                return new Solution(v, pt);
            }
            rebuilds++;
            if (DEBUG) {
                System.err.println("IntervalLp: drift after solve " + solves + ", attempt " + attempt);
            }
            if (attempt == 0 && reinvert() && primalFeasible()) {
                continue; // same basis, fresh tableau: go on with phase 2
            }
            if (attempt <= 1) {
                coldStart(pt);
                if (!feasible) {
                    throw new IllegalStateException("the LP became infeasible on a cold restart (numerical trouble)");
                }
                continue;
            }
            throw new IllegalStateException("the simplex cannot return a point within tolerance");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The iteration limit was reached: cycling (or stalling) despite the Bland fallback. */
    private static final class Stalled extends RuntimeException {
        Stalled() {
            super("simplex iteration limit reached", null, false, false);
        }
    }

    private void coldStart(double[] x0) {
        double[] xs = new double[n];
        for (int j = 0; j < n; j++) {
            double v = x0 == null ? lower[j] : x0[j];
            xs[j] = Double.isFinite(v) ? Math.min(upper[j], Math.max(lower[j], v)) : lower[j];
        }
        double[] act = new double[m];
        double[] sl = new double[m];
        int[] sigma = new int[m];
        int arts = 0;
        for (int i = 0; i < m; i++) {
            double r = 0;
            double abs = 0;
            for (int k = 0; k < rowIdx[i].length; k++) {
                double p = rowCoef[i][k] * xs[rowIdx[i][k]];
                r += p;
                abs += Math.abs(p);
            }
            act[i] = r;
            sl[i] = Math.min(rowHi[i], Math.max(rowLo[i], r));
            double res = r - sl[i];
            if (Math.abs(res) > 1e-12 * (1 + abs + Math.abs(sl[i]))) {
                sigma[i] = res > 0 ? 1 : -1;
                arts++;
            }
        }
        cols = n + m + arts;
        lb = new double[cols];
        ub = new double[cols];
        x = new double[cols];
        a0 = new double[m][cols];
        initial = new int[m];
        basis = new int[m];
        where = new int[cols];
        Arrays.fill(where, -1);
        System.arraycopy(lower, 0, lb, 0, n);
        System.arraycopy(upper, 0, ub, 0, n);
        System.arraycopy(xs, 0, x, 0, n);
        int art = n + m;
        double[] phase1 = new double[cols];
        for (int i = 0; i < m; i++) {
            int s = n + i;
            lb[s] = rowLo[i];
            ub[s] = rowHi[i];
            // row: a·x − s − σ·art = 0, scaled by g so that the starting basic column has coefficient +1
            double g = sigma[i] == 0 ? -1 : -sigma[i];
            for (int k = 0; k < rowIdx[i].length; k++) {
                a0[i][rowIdx[i][k]] += g * rowCoef[i][k];
            }
            a0[i][s] = -g;
            if (sigma[i] == 0) {
                x[s] = act[i]; // within the row's range up to rounding
                initial[i] = s;
            } else {
                x[s] = sl[i];
                a0[i][art] = 1;
                lb[art] = 0;
                ub[art] = Double.POSITIVE_INFINITY;
                x[art] = Math.abs(act[i] - sl[i]);
                phase1[art] = -1;
                initial[i] = art;
                art++;
            }
            basis[i] = initial[i];
            where[initial[i]] = i;
        }
        t = new double[m][];
        for (int i = 0; i < m; i++) {
            t[i] = a0[i].clone();
        }
        d = new double[cols];
        feasible = true;
        if (arts > 0) {
            try {
                simplex(phase1);
            } catch (Stalled e) {
                if (blandOnly) {
                    throw new IllegalStateException("phase 1 stalls, even with Bland's rule alone");
                }
                blandOnly = true;
                coldStart(x0);
                return;
            }
            recomputeBasics();
            double infeas = 0;
            double scale = 1;
            for (int j = n + m; j < cols; j++) {
                infeas += Math.max(0, x[j]);
            }
            for (int i = 0; i < m; i++) {
                scale = Math.max(scale, Math.max(Math.abs(rowLo[i]), Math.abs(rowHi[i])));
            }
            for (int j = 0; j < n; j++) {
                scale = Math.max(scale, Math.abs(x[j]));
            }
            // artificials are fixed at zero from now on (a basic one stays at zero: it blocks every move changing it)
            for (int j = n + m; j < cols; j++) {
                ub[j] = 0;
                if (where[j] < 0) {
                    x[j] = 0;
                }
            }
            feasible = infeas <= 1e-9 * scale;
        }
    }

    /** Maximises cost·x over the region from the current (primal feasible) basis. */
    private void simplex(double[] cost) {
        double cmax = 0;
        for (double v : cost) {
            cmax = Math.max(cmax, Math.abs(v));
        }
        if (cmax == 0) {
            return;
        }
        double dTol = 1e-10 * cmax;
        computeReducedCosts(cost);
        int degenerate = 0;
        boolean bland = blandOnly;
        long limit = 200L * (m + cols) + 10_000;
        for (long iter = 0; ; iter++) {
            if (iter > limit) {
                throw new Stalled();
            }
            int q = -1;
            double best = 0;
            for (int j = 0; j < cols; j++) {
                if (where[j] >= 0) {
                    continue;
                }
                double dj = d[j];
                if ((dj > dTol && x[j] < ub[j]) || (dj < -dTol && x[j] > lb[j])) {
                    if (bland) {
                        q = j;
                        break;
                    }
                    if (Math.abs(dj) > best) {
                        best = Math.abs(dj);
                        q = j;
                    }
                }
            }
            if (q < 0) {
                // optimal for the maintained reduced costs: confirm with fresh ones
                if (!computeReducedCostsChanged(cost, dTol)) {
                    return;
                }
                continue;
            }
            int dir = d[q] > 0 ? 1 : -1;
            double tmax = dir > 0 ? ub[q] - x[q] : x[q] - lb[q];
            // ratio test: exact minimum, near-ties broken by the largest pivot (or the smallest index under Bland)
            double tmin = Double.POSITIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                double alpha = dir * t[i][q];
                if (Math.abs(alpha) <= PIVOT_TOL) {
                    continue;
                }
                double lim = ratio(i, alpha);
                if (lim < tmin) {
                    tmin = lim;
                }
            }
            int r = -1;
            double step;
            if (tmax <= tmin) {
                step = tmax;
            } else {
                double tieTol = tmin + 1e-14 * (1 + tmin);
                double bestAlpha = 0;
                for (int i = 0; i < m; i++) {
                    double alpha = dir * t[i][q];
                    if (Math.abs(alpha) <= PIVOT_TOL) {
                        continue;
                    }
                    if (ratio(i, alpha) <= tieTol) {
                        if (bland) {
                            if (r < 0 || basis[i] < basis[r]) {
                                r = i;
                            }
                        } else if (Math.abs(alpha) > bestAlpha) {
                            bestAlpha = Math.abs(alpha);
                            r = i;
                        }
                    }
                }
                step = tmin;
            }
            if (Double.isInfinite(step)) {
                throw new IllegalStateException("unbounded LP (the bounds should prevent this)");
            }
            if (step > 0) {
                double ds = dir * step;
                x[q] += ds;
                for (int i = 0; i < m; i++) {
                    double tq = t[i][q];
                    if (tq != 0) {
                        x[basis[i]] -= ds * tq;
                    }
                }
            }
            if (r < 0) {
                x[q] = dir > 0 ? ub[q] : lb[q];
            } else {
                int b = basis[r];
                double alpha = dir * t[r][q];
                // the leaving value goes to its bound: near-ties are within a few ulps of the step (tieTol), so this
                // moves it by rounding only
                x[b] = alpha > 0 ? lb[b] : ub[b];
                if (b >= n + m) {
                    ub[b] = 0; // an artificial that leaves never comes back
                    x[b] = 0;
                }
                pivot(r, q);
            }
            if (DEBUG) {
                debugCheck(iter, q, dir, r, step, bland);
            }
            if (step <= 1e-12 * (1 + Math.abs(x[q]))) {
                if (++degenerate > DEGENERATE_BEFORE_BLAND) {
                    bland = true;
                }
            } else {
                degenerate = 0;
                bland = blandOnly;
            }
        }
    }

    /** With -Dintervallp.debug=true: after every step, A0·x = 0 and every basic value within its bounds. */
    private void debugCheck(long iter, int q, int dir, int r, double step, boolean bland) {
        String where = "iter " + iter + " q=" + q + " dir=" + dir + " r=" + r + " step=" + step + " bland=" + bland;
        double tol = 1e-9 + 1e-13 * rhsScale;
        for (int i = 0; i < m; i++) {
            double res = 0;
            for (int j = 0; j < cols; j++) {
                res += a0[i][j] * x[j];
            }
            if (Math.abs(res) > tol) {
                throw new IllegalStateException(where + ": residual of row " + i + " = " + res);
            }
            int b = basis[i];
            if (x[b] < lb[b] - tol - 1e-9 * Math.abs(lb[b]) || x[b] > ub[b] + tol + 1e-9 * Math.abs(ub[b])) {
                throw new IllegalStateException(where + ": basic " + b + " = " + x[b] + " not in [" + lb[b] + ", "
                        + ub[b] + "]");
            }
        }
    }

    private double ratio(int i, double alpha) {
        int b = basis[i];
        double lim = alpha > 0 ? (x[b] - lb[b]) / alpha : (ub[b] - x[b]) / -alpha;
        return lim > 0 ? lim : 0;
    }

    private void pivot(int r, int q) {
        pivots++;
        double[] row = t[r];
        double inv = 1 / row[q];
        int[] nz = new int[cols];
        int cnt = 0;
        for (int j = 0; j < cols; j++) {
            double v = row[j];
            if (v != 0) {
                v *= inv;
                if (Math.abs(v) < DROP) {
                    v = 0;
                } else {
                    nz[cnt++] = j;
                }
                row[j] = v;
            }
        }
        row[q] = 1;
        for (int i = 0; i < m; i++) {
            if (i == r) {
                continue;
            }
            double[] ti = t[i];
            double f = ti[q];
            if (f == 0) {
                continue;
            }
            for (int k = 0; k < cnt; k++) {
                int j = nz[k];
                double v = ti[j] - f * row[j];
                ti[j] = Math.abs(v) < DROP ? 0 : v;
            }
            ti[q] = 0;
        }
        double dq = d[q];
        if (dq != 0) {
            for (int k = 0; k < cnt; k++) {
                int j = nz[k];
                d[j] -= dq * row[j];
            }
        }
        d[q] = 0;
        int leaving = basis[r];
        where[leaving] = -1;
        basis[r] = q;
        where[q] = r;
    }

    private void computeReducedCosts(double[] cost) {
        System.arraycopy(cost, 0, d, 0, cols);
        for (int i = 0; i < m; i++) {
            double cb = cost[basis[i]];
            if (cb == 0) {
                continue;
            }
            double[] ti = t[i];
            for (int j = 0; j < cols; j++) {
                double v = ti[j];
                if (v != 0) {
                    d[j] -= cb * v;
                }
            }
        }
        for (int i = 0; i < m; i++) {
            d[basis[i]] = 0;
        }
    }

    /** Recomputes the reduced costs; true when some nonbasic column is then attractive (the optimum was not one). */
    private boolean computeReducedCostsChanged(double[] cost, double dTol) {
        computeReducedCosts(cost);
        for (int j = 0; j < cols; j++) {
            if (where[j] < 0 && ((d[j] > dTol && x[j] < ub[j]) || (d[j] < -dTol && x[j] > lb[j]))) {
                return true;
            }
        }
        return false;
    }

    /** x_B = −B⁻¹ (A_N x_N), B⁻¹ being the tableau's columns of the starting basis. */
    private void recomputeBasics() {
        double[] v = new double[m];
        for (int i = 0; i < m; i++) {
            double[] ai = a0[i];
            double s = 0;
            for (int j = 0; j < cols; j++) {
                double a = ai[j];
                if (a != 0 && where[j] < 0) {
                    s += a * x[j];
                }
            }
            v[i] = s;
        }
        for (int k = 0; k < m; k++) {
            double[] tk = t[k];
            double s = 0;
            for (int i = 0; i < m; i++) {
                double b = tk[initial[i]];
                if (b != 0) {
                    s += b * v[i];
                }
            }
            x[basis[k]] = -s;
        }
    }

    /** The structural part of the current point, clamped to its bounds (it only removes rounding). */
    private double[] point() {
        double[] p = new double[n];
        for (int j = 0; j < n; j++) {
            p[j] = Math.min(upper[j], Math.max(lower[j], x[j]));
        }
        return p;
    }

    /** Every row within its range, up to a tolerance relative to the row's magnitude. */
    private boolean check(double[] p) {
        double scale = rhsScale;
        for (double v : p) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int j = 0; j < n; j++) {
            // a clamp moving a value by more than rounding means the basic values drifted out of their bounds
            if (Math.abs(p[j] - x[j]) > CHECK_REL * (1 + Math.abs(p[j])) + SCALE_REL * scale) {
                if (DEBUG) {
                    System.err.println("bound: x" + j + "=" + x[j] + " in [" + lower[j] + ", " + upper[j] + "] basic " + where[j]);
                }
                return false;
            }
        }
        for (int i = 0; i < m; i++) {
            double r = 0;
            double abs = 0;
            for (int k = 0; k < rowIdx[i].length; k++) {
                double v = rowCoef[i][k] * p[rowIdx[i][k]];
                r += v;
                abs += Math.abs(v);
            }
            // relative to the row's terms, plus the rounding of values of the problem's magnitude (a basic value is
            // computed from the others, up to the largest of them)
            double tol = CHECK_REL * (1 + abs) + SCALE_REL * scale;
            if (r < rowLo[i] - tol || r > rowHi[i] + tol) {
                if (DEBUG) {
                    System.err.println("row " + i + ": " + r + " not in [" + rowLo[i] + ", " + rowHi[i] + "], slack " + x[n + i] + " basic " + where[n + i]);
                }
                return false;
            }
        }
        return true;
    }

    private boolean primalFeasible() {
        for (int j = 0; j < cols; j++) {
            double tol = CHECK_REL * (1 + Math.abs(x[j])) + SCALE_REL * rhsScale;
            if (x[j] < lb[j] - tol || x[j] > ub[j] + tol) {
                return false;
            }
        }
        return true;
    }

    /** Rebuilds the tableau B⁻¹A0 for the current basis by Gauss–Jordan on the original matrix; false if singular. */
    private boolean reinvert() {
        int[] cols0 = basis.clone();
        double[][] nt = new double[m][];
        for (int i = 0; i < m; i++) {
            nt[i] = a0[i].clone();
        }
        boolean[] used = new boolean[m];
        int[] nb = new int[m];
        for (int b : cols0) {
            int r = -1;
            double best = PIVOT_TOL;
            for (int i = 0; i < m; i++) {
                if (!used[i] && Math.abs(nt[i][b]) > best) {
                    best = Math.abs(nt[i][b]);
                    r = i;
                }
            }
            if (r < 0) {
                return false;
            }
            used[r] = true;
            nb[r] = b;
            double[] row = nt[r];
            double inv = 1 / row[b];
            for (int j = 0; j < cols; j++) {
                row[j] *= inv;
            }
            row[b] = 1;
            for (int i = 0; i < m; i++) {
                if (i != r && nt[i][b] != 0) {
                    double f = nt[i][b];
                    double[] ti = nt[i];
                    for (int j = 0; j < cols; j++) {
                        if (row[j] != 0) {
                            ti[j] -= f * row[j];
                        }
                    }
                    ti[b] = 0;
                }
            }
        }
        t = nt;
        basis = nb;
        Arrays.fill(where, -1);
        for (int i = 0; i < m; i++) {
            where[basis[i]] = i;
        }
        recomputeBasics();
        return true;
    }
}
