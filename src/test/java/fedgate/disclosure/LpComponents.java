package fedgate.disclosure;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random audit LPs for {@link IntervalLpTest} and {@link IntervalLpBenchmark}: a hierarchical table (R rows × K
 * categories, rows grouped in G groups: row totals, group × category subtotals, group totals, category totals, the
 * grand total, with both ways of adding up the group and grand totals), a random subset of its cells unknown, the
 * others constants on the right-hand side, exactly as LinearAudit builds its LPs.
 */
final class LpComponents {

    /** One LP: unknowns in [lower, upper], rows lo ≤ Σ coef·x ≤ hi, x0 the true values. */
    record Lp(int n, double[] lower, double[] upper, int[][] idx, double[][] coef, double[] lo, double[] hi,
              double[] x0, double cap) {
        IntervalLp interval() {
            return new IntervalLp(n, lower, upper, idx, coef, lo, hi, x0);
        }

        /** The problem's magnitude: its largest right-hand side or true value (at least 1). */
        double scale() {
            double scale = 1;
            for (int i = 0; i < lo.length; i++) {
                scale = Math.max(scale, Math.max(Math.abs(lo[i]), Math.abs(hi[i])));
            }
            for (double v : x0) {
                scale = Math.max(scale, Math.abs(v));
            }
            return scale;
        }

        /**
         * Largest violation of a row or bound by p, relative to the row's magnitude plus 1e-5 of the problem's (its
         * right-hand sides, the true values and p's)
         * (values computed from others of that magnitude carry its rounding).
         */
        double violation(double[] p) {
            double worst = 0;
            double scale = 1;
            for (int i = 0; i < lo.length; i++) {
                scale = Math.max(scale, Math.max(Math.abs(lo[i]), Math.abs(hi[i])));
            }
            for (double v : p) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (double v : x0) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < n; j++) {
                worst = Math.max(worst, Math.max(lower[j] - p[j], p[j] - upper[j]) / (1 + Math.abs(p[j])));
            }
            for (int i = 0; i < idx.length; i++) {
                double r = 0;
                double abs = 0;
                for (int k = 0; k < idx[i].length; k++) {
                    r += coef[i][k] * p[idx[i][k]];
                    abs += Math.abs(coef[i][k] * p[idx[i][k]]);
                }
                worst = Math.max(worst, Math.max(lo[i] - r, r - hi[i]) / (1 + abs + 1e-5 * scale));
            }
            return worst;
        }
    }

    /** ojAlgo as LinearAudit.solve uses it: one model, the objective changed by variable weights. */
    static final class OjAlgo {
        static {
            ExpressionsBasedModel.clearPresolvers();
        }

        final ExpressionsBasedModel model = new ExpressionsBasedModel();
        final Variable[] vs;

        OjAlgo(Lp lp) {
            vs = new Variable[lp.n()];
            for (int j = 0; j < lp.n(); j++) {
                vs[j] = model.addVariable("c" + j).lower(lp.lower()[j]).upper(lp.upper()[j]);
            }
            for (int i = 0; i < lp.idx().length; i++) {
                Expression e = model.addExpression("r" + i);
                for (int k = 0; k < lp.idx()[i].length; k++) {
                    e.set(vs[lp.idx()[i][k]], lp.coef()[i][k]);
                }
                e.lower(lp.lo()[i]).upper(lp.hi()[i]);
            }
        }

        Optimisation.Result optimise(double[] c, boolean max) {
            for (int j = 0; j < vs.length; j++) {
                vs[j].weight(c[j]);
            }
            Optimisation.Result r = max ? model.maximise() : model.minimise();
            for (Variable v : vs) {
                v.weight(0);
            }
            return r;
        }

        double single(int k, boolean max) {
            vs[k].weight(1);
            Optimisation.Result r = max ? model.maximise() : model.minimise();
            vs[k].weight(0);
            if (!r.getState().isFeasible()) {
                throw new IllegalStateException("ojAlgo: " + r.getState());
            }
            return r.getValue();
        }
    }

    private LpComponents() {
    }

    static Lp random(Random rnd, int rows, int cats, int groups, double pUnknown, boolean amounts) {
        List<Double> value = new ArrayList<>();
        int[][] cell = new int[rows][cats];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cats; k++) {
                cell[r][k] = value.size();
                value.add(draw(rnd, amounts));
            }
        }
        int[] group = new int[rows];
        for (int r = 0; r < rows; r++) {
            group[r] = r < groups ? r : rnd.nextInt(groups);
        }
        List<int[]> parts = new ArrayList<>();
        List<Integer> totals = new ArrayList<>();
        int[] rowTot = new int[rows];
        for (int r = 0; r < rows; r++) {
            int[] p = cell[r].clone();
            rowTot[r] = total(value, p, amounts);
            parts.add(p);
            totals.add(rowTot[r]);
        }
        int[][] grpCol = new int[groups][cats];
        for (int g = 0; g < groups; g++) {
            for (int k = 0; k < cats; k++) {
                List<Integer> p = new ArrayList<>();
                for (int r = 0; r < rows; r++) {
                    if (group[r] == g) {
                        p.add(cell[r][k]);
                    }
                }
                int[] pa = p.stream().mapToInt(Integer::intValue).toArray();
                grpCol[g][k] = total(value, pa, amounts);
                parts.add(pa);
                totals.add(grpCol[g][k]);
            }
        }
        int[] grpTot = new int[groups];
        for (int g = 0; g < groups; g++) {
            int[] p = grpCol[g].clone();
            grpTot[g] = total(value, p, amounts);
            parts.add(p);
            totals.add(grpTot[g]);
            List<Integer> rs = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                if (group[r] == g) {
                    rs.add(rowTot[r]);
                }
            }
            parts.add(rs.stream().mapToInt(Integer::intValue).toArray());
            totals.add(grpTot[g]);
        }
        int[] colTot = new int[cats];
        for (int k = 0; k < cats; k++) {
            int[] p = new int[groups];
            for (int g = 0; g < groups; g++) {
                p[g] = grpCol[g][k];
            }
            colTot[k] = total(value, p, amounts);
            parts.add(p);
            totals.add(colTot[k]);
        }
        int grand = total(value, grpTot.clone(), amounts);
        parts.add(grpTot.clone());
        totals.add(grand);
        parts.add(colTot.clone());
        totals.add(grand);

        int cells = value.size();
        int[] var = new int[cells];
        int n = 0;
        for (int c = 0; c < cells; c++) {
            var[c] = rnd.nextDouble() < pUnknown ? n++ : -1;
        }
        if (n == 0) {
            var[rnd.nextInt(cells)] = 0;
            n = 1;
        }
        double cap = 1e6;
        for (double v : value) {
            cap = Math.max(cap, 10 * Math.abs(v));
        }
        double[] lower = new double[n];
        double[] upper = new double[n];
        double[] x0 = new double[n];
        java.util.Arrays.fill(upper, cap);
        for (int c = 0; c < cells; c++) {
            if (var[c] >= 0) {
                x0[var[c]] = value.get(c);
            }
        }
        List<int[]> idx = new ArrayList<>();
        List<double[]> coef = new ArrayList<>();
        List<Double> lo = new ArrayList<>();
        List<Double> hi = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) {
            int[] p = parts.get(k);
            int tot = totals.get(k);
            List<Integer> ix = new ArrayList<>();
            List<Double> cf = new ArrayList<>();
            double rhs = 0;
            for (int c : p) {
                if (var[c] >= 0) {
                    ix.add(var[c]);
                    cf.add(1.0);
                } else {
                    rhs -= value.get(c);
                }
            }
            if (var[tot] >= 0) {
                ix.add(var[tot]);
                cf.add(-1.0);
            } else {
                rhs += value.get(tot);
            }
            if (ix.isEmpty()) {
                continue;
            }
            double tol = amounts ? 0.005 * (p.length + 1) : 1e-7;
            idx.add(ix.stream().mapToInt(Integer::intValue).toArray());
            coef.add(cf.stream().mapToDouble(Double::doubleValue).toArray());
            lo.add(rhs - tol);
            hi.add(rhs + tol);
        }
        return new Lp(n, lower, upper, idx.toArray(new int[0][]), coef.toArray(new double[0][]),
                lo.stream().mapToDouble(Double::doubleValue).toArray(),
                hi.stream().mapToDouble(Double::doubleValue).toArray(), x0, cap);
    }

    private static double draw(Random rnd, boolean amounts) {
        double u = rnd.nextDouble();
        if (u < 0.3) {
            return 0;
        }
        if (!amounts) {
            return 1 + rnd.nextInt(u < 0.9 ? 20 : 500);
        }
        double scale = u < 0.9 ? 1e4 : 1e8;
        return Math.round(rnd.nextDouble() * scale * 100) / 100.0;
    }

    /** Adds a total cell (published to the cent for amounts) and returns its index. */
    private static int total(List<Double> value, int[] parts, boolean amounts) {
        double s = 0;
        for (int p : parts) {
            s += value.get(p);
        }
        value.add(amounts ? Math.round(s * 100) / 100.0 : s);
        return value.size() - 1;
    }
}
