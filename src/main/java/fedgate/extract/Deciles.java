package fedgate.extract;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Exact income-per-UC deciles of every territory of every requested level, from the households' values streamed out
 * of DuckDB once ({@link SnapshotAggregator#DECILES}: commune index and value, no grouping), with the same result as
 * DuckDB's {@code quantile_cont(ruc, [0.1, …, 0.9])} per group with {@code HAVING count(*) >= 11}.
 *
 * <p>The values are placed by commune as they arrive (the number of households of each commune is known from the
 * finest-level table), each commune's values are sorted, then each EPCI's range — the concatenation of its communes'
 * sorted runs, contiguous since communes are ordered by département, EPCI and code — is sorted (a merge of runs for
 * {@link Arrays#sort}), then each département's (the two halves of the scope, split between two départements, on two
 * threads), then the country's. Each group's deciles are read from its sorted
 * range with DuckDB's continuous interpolation: position {@code (n - 1) q}, {@code lo × (1 - d) + hi × d}.
 * Values that are NULL count in the group's size (as {@code count(*)} does) but not among its values (as in
 * {@code quantile_cont}); ordering is {@link Double#compare}'s (NaN last, as DuckDB orders floating-point values).
 * IRIS groups are sorted on their own (a copy grouped by IRIS code).
 */
final class Deciles {

    /** The nine quantiles, as DuckDB reads the literal list {@code [0.1, …, 0.9]}. */
    static final double[] QUANTILES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

    private final SnapshotAggregator.Scope scope;
    /** Non-NULL values, commune {@code i}'s in {@code [start[i], start[i + 1])}. */
    private final double[] values;
    private final int[] start;
    /** Households of commune {@code i} whose value is NULL. */
    private final int[] nulls;
    /** IRIS of each value (parallel to {@link #values} before any sort), -1 if NULL; null without the IRIS level. */
    private final int[] irisOfValue;
    private final List<String> irisCodes;
    private final int[] irisNulls;

    private Deciles(SnapshotAggregator.Scope scope, double[] values, int[] start, int[] nulls, int[] irisOfValue,
                    List<String> irisCodes, int[] irisNulls) {
        this.scope = scope;
        this.values = values;
        this.start = start;
        this.nulls = nulls;
        this.irisOfValue = irisOfValue;
        this.irisCodes = irisCodes;
        this.irisNulls = irisNulls;
    }

    /**
     * Reads the stream {@code idx[, iris], ruc}.
     *
     * @param households households per commune (by index), as counted by the finest-level statement
     */
    static Deciles read(ResultSet rs, SnapshotAggregator.Scope scope, int[] households, boolean iris)
            throws SQLException {
        int m = scope.size();
        int[] start = new int[m + 1];
        long total = 0;
        for (int i = 0; i < m; i++) {
            start[i] = (int) total;
            total += households[i];
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("too many households for one extract: " + total);
            }
        }
        start[m] = (int) total;
        double[] v = new double[(int) total];
        int[] pos = Arrays.copyOf(start, m);
        int[] nulls = new int[m];
        int[] irisOf = iris ? new int[(int) total] : null;
        Map<String, Integer> irisIds = iris ? new HashMap<>() : null;
        List<String> irisCodes = iris ? new ArrayList<>() : null;
        int[] irisNulls = new int[iris ? 64 : 0];
        int valueColumn = iris ? 3 : 2;
        boolean anyNull = false;
        while (rs.next()) {
            int c = rs.getInt(1);
            int irisId = -1;
            if (iris) {
                String code = rs.getString(2);
                if (code != null) {
                    Integer id = irisIds.get(code);
                    if (id == null) {
                        id = irisCodes.size();
                        irisIds.put(code, id);
                        irisCodes.add(code);
                        if (id == irisNulls.length) {
                            irisNulls = Arrays.copyOf(irisNulls, 2 * id);
                        }
                    }
                    irisId = id;
                }
            }
            double x = rs.getDouble(valueColumn);
            boolean isNull = rs.wasNull();
            if (c < 0 || c >= m || pos[c] + nulls[c] >= start[c + 1]) {
                throw new IllegalStateException("the snapshot changed during the aggregation (commune index " + c + ")");
            }
            if (isNull) {
                anyNull = true;
                nulls[c]++;
                if (irisId >= 0) {
                    irisNulls[irisId]++;
                }
            } else {
                if (iris) {
                    irisOf[pos[c]] = irisId;
                }
                v[pos[c]++] = x;
            }
        }
        for (int i = 0; i < m; i++) {
            if (pos[i] + nulls[i] != start[i + 1]) {
                throw new IllegalStateException("the snapshot changed during the aggregation: commune "
                        + scope.commune()[i] + " has " + (pos[i] + nulls[i] - start[i]) + " households, not "
                        + households[i]);
            }
        }
        if (anyNull) { // close the gaps left by NULL values: ranges stay contiguous
            int w = 0;
            for (int i = 0; i < m; i++) {
                int len = pos[i] - start[i];
                System.arraycopy(v, start[i], v, w, len);
                if (iris) {
                    System.arraycopy(irisOf, start[i], irisOf, w, len);
                }
                start[i] = w;
                w += len;
            }
            start[m] = w;
        }
        return new Deciles(scope, v, start, nulls, irisOf, irisCodes, irisNulls);
    }

    /**
     * Sets the deciles of every row of {@code rows} (keyed {@code level:code}) whose group has ≥ 11 households. Up to
     * the département, the two halves of the scope (split between two départements) are sorted on two threads; the
     * country's range last.
     */
    void publish(Set<Level> levels, Map<String, SnapshotAggregator.Row> rows) {
        if (levels.contains(Level.IRIS)) {
            publishIris(rows);
        }
        Level top = null;
        for (Level l : levels) {
            if (l != Level.IRIS && (top == null || l.ordinal() > top.ordinal())) {
                top = l;
            }
        }
        if (top == null) {
            return;
        }
        int m = scope.size();
        Level below = top.ordinal() > Level.DEPARTEMENT.ordinal() ? Level.DEPARTEMENT : top;
        int split = split(below);
        List<Object[]> found = new ArrayList<>();
        List<Object[]> foundByOther = new ArrayList<>();
        RuntimeException[] failure = new RuntimeException[1];
        Thread other = null;
        if (split > 0 && split < m) {
            other = new Thread(() -> {
                try {
                    sortUpTo(below, split, m, levels, foundByOther);
                } catch (RuntimeException | Error e) {
                    failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }, "extract-deciles");
            other.setDaemon(true);
            other.start();
        }
        sortUpTo(below, 0, other == null ? m : split, levels, found);
        if (other != null) {
            Threads.join(other);
            if (failure[0] != null) {
                throw failure[0];
            }
            found.addAll(foundByOther);
        }
        if (top.ordinal() > below.ordinal()) {
            groups(Level.NATIONAL, 0, m, levels, found);
        }
        for (Object[] f : found) {
            SnapshotAggregator.Row r = rows.get((String) f[0]);
            if (r != null) {
                double[] d = (double[]) f[1];
                System.arraycopy(d, 0, r.deciles(), 0, d.length);
            }
        }
    }

    /** A commune index near the middle of the values where a territory of {@code level} ends (0 if none). */
    private int split(Level level) {
        int m = scope.size();
        int half = start[m] / 2;
        int i = 1;
        while (i < m && start[i] < half) {
            i++;
        }
        for (int j = i; j < m; j++) {
            if (!Objects.equals(scope.code(level, j), scope.code(level, j - 1))) {
                return j;
            }
        }
        return 0;
    }

    /** Communes {@code [from, to)} and their EPCI, ... up to {@code last} (a run of whole territories of it). */
    private void sortUpTo(Level last, int from, int to, Set<Level> levels, List<Object[]> found) {
        for (Level l = Level.COMMUNE; l != null && l.ordinal() <= last.ordinal(); l = l.parent()) {
            groups(l, from, to, levels, found);
        }
    }

    /**
     * Sorts each territory of {@code level} among communes {@code [from, to)} — a run of consecutive communes, the
     * union of its sorted runs one level down — and keeps its deciles if the level is requested.
     */
    private void groups(Level level, int from, int to, Set<Level> levels, List<Object[]> found) {
        boolean wanted = levels.contains(level);
        int i = from;
        while (i < to) {
            String code = scope.code(level, i);
            long groupNulls = nulls[i];
            int j = i + 1;
            while (j < to && Objects.equals(scope.code(level, j), code)) {
                groupNulls += nulls[j];
                j++;
            }
            Arrays.sort(values, start[i], start[j]);
            if (code != null && wanted) {
                double[] d = deciles(values, start[i], start[j], groupNulls);
                if (d != null) {
                    found.add(new Object[] {level.code() + ":" + code, d});
                }
            }
            i = j;
        }
    }

    private void publishIris(Map<String, SnapshotAggregator.Row> rows) {
        int k = irisCodes.size();
        int[] from = new int[k + 1];
        int n = start[scope.size()];
        for (int p = 0; p < n; p++) {
            if (irisOfValue[p] >= 0) {
                from[irisOfValue[p] + 1]++;
            }
        }
        for (int id = 0; id < k; id++) {
            from[id + 1] += from[id];
        }
        double[] w = new double[from[k]];
        int[] at = Arrays.copyOf(from, k);
        for (int p = 0; p < n; p++) {
            int id = irisOfValue[p];
            if (id >= 0) {
                w[at[id]++] = values[p];
            }
        }
        for (int id = 0; id < k; id++) {
            Arrays.sort(w, from[id], from[id + 1]);
            put(rows, w, Level.IRIS, irisCodes.get(id), from[id], from[id + 1], irisNulls[id]);
        }
    }

    private static void put(Map<String, SnapshotAggregator.Row> rows, double[] sorted, Level l, String code, int from,
                            int to, long nullCount) {
        double[] d = deciles(sorted, from, to, nullCount);
        SnapshotAggregator.Row r = d == null ? null : rows.get(l.code() + ":" + code);
        if (r != null) {
            System.arraycopy(d, 0, r.deciles(), 0, d.length);
        }
    }

    /**
     * The deciles of the sorted values {@code [from, to)} of a group with {@code nullCount} NULL values besides, or
     * null when the group has fewer than 11 households ({@code HAVING count(*) >= 11}: no deciles, NaN) or no value
     * at all ({@code quantile_cont} is NULL: NaN).
     */
    private static double[] deciles(double[] sorted, int from, int to, long nullCount) {
        if (to - from + nullCount < SnapshotAggregator.DECILE_MIN_HOUSEHOLDS || to == from) {
            return null;
        }
        double[] d = new double[QUANTILES.length];
        for (int k = 0; k < QUANTILES.length; k++) {
            d[k] = quantile(sorted, from, to - from, QUANTILES[k]);
        }
        return d;
    }

    /** DuckDB's {@code quantile_cont} on {@code n} sorted values from {@code from}: continuous interpolation. */
    static double quantile(double[] sorted, int from, int n, double q) {
        double rn = (double) (n - 1) * q;
        double frn = Math.floor(rn);
        double crn = Math.ceil(rn);
        double lo = sorted[from + (int) frn];
        if (frn == crn) {
            return lo;
        }
        double hi = sorted[from + (int) crn];
        double d = rn - frn;
        return lo * (1.0 - d) + hi * d; // DuckDB's CastInterpolation::Interpolate for DOUBLE, operation for operation
    }
}
