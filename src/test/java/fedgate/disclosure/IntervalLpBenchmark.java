package fedgate.disclosure;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Micro-benchmark (a main, not a test): the same random components of ~50–250 unknowns, min and max of every unknown
 * by ojAlgo (one model per component, objective changed by weights, as LinearAudit.solve) and by IntervalLp (one
 * instance per component, warm-started), in the same run. Prints both times, their ratio, and the largest
 * disagreement between the two optima.
 *
 * <pre>
 * mvn -B -q -o test-compile
 * java -cp target/classes:target/test-classes:$(mvn -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     fedgate.disclosure.IntervalLpBenchmark [components] [seed]
 * </pre>
 */
public final class IntervalLpBenchmark {

    private IntervalLpBenchmark() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42L;
        List<LpComponents.Lp> lps = components(count, seed);
        int unknowns = lps.stream().mapToInt(LpComponents.Lp::n).sum();
        System.out.printf("%d components, %d unknowns (%d..%d per component), %d LPs per solver%n", lps.size(),
                unknowns, lps.stream().mapToInt(LpComponents.Lp::n).min().orElse(0),
                lps.stream().mapToInt(LpComponents.Lp::n).max().orElse(0), 2 * unknowns);

        // warm-up (JIT) on other components
        for (LpComponents.Lp lp : components(3, seed + 1)) {
            runOjAlgo(lp);
            runIntervalLp(lp);
        }
        double[][] oj = new double[lps.size()][];
        double[][] ours = new double[lps.size()][];
        long t0 = System.nanoTime();
        for (int c = 0; c < lps.size(); c++) {
            oj[c] = runOjAlgo(lps.get(c));
        }
        long t1 = System.nanoTime();
        long pivots = 0;
        for (int c = 0; c < lps.size(); c++) {
            ours[c] = runIntervalLp(lps.get(c));
            pivots += (long) ours[c][ours[c].length - 1];
        }
        long t2 = System.nanoTime();
        for (LpComponents.Lp lp : lps) {
            lp.interval();
        }
        long t3 = System.nanoTime();
        double worst = 0;
        for (int c = 0; c < lps.size(); c++) {
            for (int k = 0; k < oj[c].length; k++) {
                double a = oj[c][k];
                double b = ours[c][k];
                worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.max(Math.abs(a), Math.abs(b))));
            }
        }
        double ojMs = (t1 - t0) / 1e6;
        double ourMs = (t2 - t1) / 1e6;
        System.out.printf("ojAlgo     %9.1f ms  (%.3f ms per LP)%n", ojMs, ojMs / (2 * unknowns));
        System.out.printf("IntervalLp %9.1f ms  (%.3f ms per LP, %d pivots including phase 1)%n", ourMs,
                ourMs / (2 * unknowns), pivots);
        System.out.printf("  of which constructing the %d instances (phase 1): %.1f ms%n", lps.size(), (t3 - t2) / 1e6);
        System.out.printf("ratio ojAlgo / IntervalLp = %.1f%n", ojMs / ourMs);
        System.out.printf("largest relative disagreement of the optima: %.2e%n", worst);
    }

    static List<LpComponents.Lp> components(int count, long seed) {
        Random rnd = new Random(seed);
        List<LpComponents.Lp> out = new ArrayList<>();
        while (out.size() < count) {
            LpComponents.Lp lp = LpComponents.random(rnd, 15 + rnd.nextInt(25), 6 + rnd.nextInt(7),
                    2 + rnd.nextInt(4), 0.25 + 0.35 * rnd.nextDouble(), rnd.nextInt(3) == 0);
            if (lp.n() >= 50 && lp.n() <= 250) {
                out.add(lp);
            }
        }
        return out;
    }

    /** Max then min of every unknown: 2n values. */
    private static double[] runOjAlgo(LpComponents.Lp lp) {
        LpComponents.OjAlgo oj = new LpComponents.OjAlgo(lp);
        double[] out = new double[2 * lp.n()];
        for (int k = 0; k < lp.n(); k++) {
            out[2 * k] = oj.single(k, true);
            out[2 * k + 1] = oj.single(k, false);
        }
        return out;
    }

    /** Max then min of every unknown: 2n values, then the pivot count. */
    private static double[] runIntervalLp(LpComponents.Lp lp) {
        IntervalLp solver = lp.interval();
        double[] out = new double[2 * lp.n() + 1];
        double[] c = new double[lp.n()];
        for (int k = 0; k < lp.n(); k++) {
            c[k] = 1;
            out[2 * k] = solver.maximise(c).value();
            out[2 * k + 1] = solver.minimise(c).value();
            c[k] = 0;
        }
        out[2 * lp.n()] = solver.pivots();
        return out;
    }
}
