package fedgate.disclosure;

import org.junit.jupiter.api.Test;
import org.ojalgo.optimisation.Optimisation;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntervalLpTest {

    private static final double REL = 1e-6;
    /** A returned point's largest violation of a row or bound, relative to the row's magnitude. */
    private static final double FEAS = 1e-9;

    /**
     * Equal within 1e-6 relative, plus 1e-13 of the problem's magnitude: on amounts tables with values ~1e8, ojAlgo's
     * optima are off by ~1e-14 of that magnitude (e.g. 0.0150013 for a maximum of exactly 3 half-cents, 0.015).
     */
    private static void assertClose(LpComponents.Lp lp, double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected))
                .as("%s: IntervalLp %s, ojAlgo %s", what, actual, expected)
                .isLessThanOrEqualTo(REL * Math.max(1, Math.max(Math.abs(actual), Math.abs(expected)))
                        + 1e-13 * lp.scale());
    }

    private static void assertFeasible(LpComponents.Lp lp, IntervalLp.Solution s, String what) {
        assertThat(s.x()).hasSize(lp.n());
        assertThat(lp.violation(s.x())).as("%s: violation of the returned point", what).isLessThanOrEqualTo(FEAS);
    }

    private static double[] unit(int n, int k) {
        double[] c = new double[n];
        c[k] = 1;
        return c;
    }

    /** Min and max of every unknown, and of a weighted sum, equal ojAlgo's on hundreds of random tables. */
    @Test
    void minAndMaxOfEveryUnknownMatchOjAlgoOnRandomHierarchicalTables() {
        // another seed, or more cases, from the command line: -Dintervallp.seed=… -Dintervallp.cases=…
        Random rnd = new Random(Long.getLong("intervallp.seed", 20261128L));
        int cases = Integer.getInteger("intervallp.cases", 300);
        int lps = 0;
        for (int c = 0; c < cases; c++) {
            int rows = 2 + rnd.nextInt(6);
            int cats = 2 + rnd.nextInt(5);
            int groups = 1 + rnd.nextInt(Math.min(3, rows));
            double p = 0.15 + 0.5 * rnd.nextDouble();
            boolean amounts = rnd.nextInt(3) == 0;
            LpComponents.Lp lp = LpComponents.random(rnd, rows, cats, groups, p, amounts);
            // half the cases start from the true table, half without a known point (phase 1 from the lower bounds)
            IntervalLp ours = c % 2 == 0 ? lp.interval()
                    : new IntervalLp(lp.n(), lp.lower(), lp.upper(), lp.idx(), lp.coef(), lp.lo(), lp.hi());
            assertThat(ours.feasible()).as("case %d", c).isTrue();
            LpComponents.OjAlgo oj = new LpComponents.OjAlgo(lp);
            String what = "case " + c + " (" + rows + "x" + cats + "/" + groups + (amounts ? " amounts" : "") + ")";

            // Σ x/required, both ways, as LinearAudit's proof LPs
            double[] w = new double[lp.n()];
            for (int j = 0; j < lp.n(); j++) {
                w[j] = 1.0 / (1 + rnd.nextInt(amounts ? 1000 : 5));
            }
            for (boolean max : new boolean[] {false, true}) {
                Optimisation.Result r = oj.optimise(w, max);
                IntervalLp.Solution s = max ? ours.maximise(w) : ours.minimise(w);
                assertClose(lp, s.value(), r.getValue(), what + (max ? " max" : " min") + " Σx/required");
                assertFeasible(lp, s, what);
                lps++;
            }
            for (int k = 0; k < lp.n(); k++) {
                double[] e = unit(lp.n(), k);
                IntervalLp.Solution hi = ours.maximise(e);
                assertClose(lp, hi.value(), oj.single(k, true), what + " max x" + k);
                assertThat(hi.x()[k]).isEqualTo(hi.value());
                assertFeasible(lp, hi, what + " max x" + k);
                IntervalLp.Solution lo = ours.minimise(e);
                assertClose(lp, lo.value(), oj.single(k, false), what + " min x" + k);
                assertFeasible(lp, lo, what + " min x" + k);
                assertThat(lo.value()).isLessThanOrEqualTo(lp.x0()[k] + 1e-6 * (1 + lp.x0()[k]));
                assertThat(hi.value()).isGreaterThanOrEqualTo(lp.x0()[k] - 1e-6 * (1 + lp.x0()[k]));
                lps += 2;
            }
        }
        assertThat(lps).isGreaterThan(7 * cases);
    }

    /** Larger components (as in the benchmark): every optimum matches ojAlgo and every point is feasible. */
    @Test
    void largerComponentsMatchOjAlgo() {
        Random rnd = new Random(7L);
        for (int c = 0; c < 4; c++) {
            LpComponents.Lp lp = LpComponents.random(rnd, 12 + rnd.nextInt(8), 5 + rnd.nextInt(4), 3, 0.5, c % 2 == 1);
            IntervalLp ours = lp.interval();
            LpComponents.OjAlgo oj = new LpComponents.OjAlgo(lp);
            for (int k = 0; k < lp.n(); k += 3) {
                IntervalLp.Solution hi = ours.maximise(unit(lp.n(), k));
                assertClose(lp, hi.value(), oj.single(k, true), "large " + c + " max x" + k);
                assertFeasible(lp, hi, "large " + c);
                IntervalLp.Solution lo = ours.minimise(unit(lp.n(), k));
                assertClose(lp, lo.value(), oj.single(k, false), "large " + c + " min x" + k);
                assertFeasible(lp, lo, "large " + c);
            }
        }
    }

    /** Warm start: the same objective again costs no pivot, and the feasible start needs no phase 1. */
    @Test
    void repeatedObjectiveIsAnsweredFromTheLastBasis() {
        LpComponents.Lp lp = LpComponents.random(new Random(3), 10, 5, 2, 0.5, false);
        IntervalLp ours = lp.interval();
        assertThat(ours.pivots()).as("pivots of phase 1 from the true table").isZero();
        double[] e = unit(lp.n(), 0);
        IntervalLp.Solution first = ours.maximise(e);
        long after = ours.pivots();
        IntervalLp.Solution again = ours.maximise(e);
        assertThat(ours.pivots()).isEqualTo(after);
        assertThat(again.value()).isEqualTo(first.value());
        assertThat(again.x()).containsExactly(first.x());
    }

    /** An all-zero 3 × 3 table with totals, every cell unknown but the grand total: every cell is pinned at 0. */
    @Test
    void allZeroTableIsPinnedAtZero() {
        // unknowns: 9 interior cells, 3 row totals, 3 column totals; grand total 0 is published
        int n = 15;
        int[][] idx = new int[8][];
        double[][] coef = new double[8][];
        for (int r = 0; r < 3; r++) {
            idx[r] = new int[] {3 * r, 3 * r + 1, 3 * r + 2, 9 + r};
            coef[r] = new double[] {1, 1, 1, -1};
        }
        for (int k = 0; k < 3; k++) {
            idx[3 + k] = new int[] {k, 3 + k, 6 + k, 12 + k};
            coef[3 + k] = new double[] {1, 1, 1, -1};
        }
        idx[6] = new int[] {9, 10, 11};
        coef[6] = new double[] {1, 1, 1};
        idx[7] = new int[] {12, 13, 14};
        coef[7] = new double[] {1, 1, 1};
        double[] lo = new double[8];
        double[] hi = new double[8];
        double[] lower = new double[n];
        double[] upper = new double[n];
        java.util.Arrays.fill(upper, 1e6);
        for (double[] x0 : new double[][] {new double[n], null}) {
            IntervalLp lp = new IntervalLp(n, lower, upper, idx, coef, lo, hi, x0);
            for (int k = 0; k < n; k++) {
                assertThat(lp.maximise(unit(n, k)).value()).isEqualTo(0.0);
                assertThat(lp.minimise(unit(n, k)).value()).isEqualTo(0.0);
            }
        }
    }

    /** x0 + x1 = 10 with x0 pinned at [4, 4]: x1 is exactly 6; a row total left unknown frees its parts to the cap. */
    @Test
    void pinnedCellAndCellFreeUpToTheCap() {
        double cap = 1e9;
        // x0 + x1 − x2 = 0 (x2 an unknown total), x0 ∈ [4, 4]; x1 + x3 = 10
        int[][] idx = {{0, 1, 2}, {1, 3}};
        double[][] coef = {{1, 1, -1}, {1, 1}};
        double[] lo = {0, 10};
        double[] hi = {0, 10};
        IntervalLp lp = new IntervalLp(4, new double[] {4, 0, 0, 0}, new double[] {4, cap, cap, cap}, idx, coef,
                lo, hi, new double[] {4, 3, 7, 7});
        assertThat(lp.maximise(unit(4, 0)).value()).isEqualTo(4.0);
        assertThat(lp.minimise(unit(4, 0)).value()).isEqualTo(4.0);
        assertThat(lp.maximise(unit(4, 1)).value()).isEqualTo(10.0);
        assertThat(lp.minimise(unit(4, 1)).value()).isEqualTo(0.0);
        assertThat(lp.minimise(unit(4, 2)).value()).isEqualTo(4.0);
        assertThat(lp.maximise(unit(4, 2)).value()).isEqualTo(14.0);

        // x0 − x1 = 0 only: both free up to the cap
        IntervalLp free = new IntervalLp(2, new double[2], new double[] {cap, cap}, new int[][] {{0, 1}},
                new double[][] {{1, -1}}, new double[1], new double[1]);
        IntervalLp.Solution s = free.maximise(unit(2, 0));
        assertThat(s.value()).isEqualTo(cap);
        assertThat(s.x()).containsExactly(cap, cap);
        assertThat(free.minimise(unit(2, 1)).value()).isEqualTo(0.0);

        // no rows at all: every variable anywhere in its bounds
        IntervalLp none = new IntervalLp(2, new double[] {1, 2}, new double[] {3, 5}, new int[0][], new double[0][],
                new double[0], new double[0]);
        assertThat(none.maximise(new double[] {1, -1}).x()).containsExactly(3.0, 2.0);
        assertThat(none.minimise(new double[] {1, -1}).value()).isEqualTo(1.0 - 5.0);
    }

    @Test
    void infeasibleRegionIsReported() {
        // x0 + x1 = 10 with both in [0, 4]
        IntervalLp lp = new IntervalLp(2, new double[2], new double[] {4, 4}, new int[][] {{0, 1}},
                new double[][] {{1, 1}}, new double[] {10}, new double[] {10});
        assertThat(lp.feasible()).isFalse();
        assertThatThrownBy(() -> lp.maximise(unit(2, 0))).isInstanceOf(IllegalStateException.class);
    }

    /** Heavy degeneracy: many equal totals of zero-valued cells, solved repeatedly without cycling. */
    @Test
    void degenerateTablesTerminate() {
        Random rnd = new Random(99);
        for (int c = 0; c < 20; c++) {
            LpComponents.Lp lp = LpComponents.random(rnd, 10, 6, 3, 0.9, false);
            // zero every right-hand side: the true table all zeros
            double[] lo = new double[lp.lo().length];
            double[] hi = new double[lp.hi().length];
            for (int i = 0; i < lo.length; i++) {
                lo[i] = lp.lo()[i] - (lp.lo()[i] + lp.hi()[i]) / 2;
                hi[i] = lp.hi()[i] - (lp.lo()[i] + lp.hi()[i]) / 2;
            }
            LpComponents.Lp z = new LpComponents.Lp(lp.n(), lp.lower(), lp.upper(), lp.idx(), lp.coef(), lo, hi,
                    new double[lp.n()], lp.cap());
            IntervalLp ours = new IntervalLp(z.n(), z.lower(), z.upper(), z.idx(), z.coef(), z.lo(), z.hi());
            LpComponents.OjAlgo oj = new LpComponents.OjAlgo(z);
            for (int k = 0; k < z.n(); k++) {
                IntervalLp.Solution hiS = ours.maximise(unit(z.n(), k));
                assertClose(z, hiS.value(), oj.single(k, true), "zero " + c + " max x" + k);
                assertFeasible(z, hiS, "zero " + c);
                assertThat(ours.minimise(unit(z.n(), k)).value()).isEqualTo(0.0);
            }
        }
    }
}
