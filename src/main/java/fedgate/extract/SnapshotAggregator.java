package fedgate.extract;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The snapshot aggregated by DuckDB, in place (never loaded into the JVM heap): every base aggregate of the catalogue
 * for every territory of the scope at every requested level, in three statements ({@link #statements}): additive
 * aggregates once at the finest level, rolled up from that small table with {@code GROUPING SETS}, and the income
 * values in a separate, narrow stream from which {@link Deciles} selects the exact deciles. The SQL text is built only
 * from constants of this class; the snapshot path, the low-income threshold and the scope (a temp table filled
 * through an appender with codes taken from the geography) are bound, never spliced.
 */
final class SnapshotAggregator {

    /** Aggregates per territory, in the order of {@link #AGGREGATES} (see {@link #index}). */
    record Row(double[] values, double[] deciles) {
        /** From aggregates by name (absent ones are 0). */
        Row(Map<String, Double> byName, double[] deciles) {
            this(byPosition(byName), deciles);
        }

        double get(String name) {
            Integer i = INDEX.get(name);
            return i == null ? 0 : values[i];
        }

        double get(int index) {
            return values[index];
        }

        private static double[] byPosition(Map<String, Double> byName) {
            double[] v = new double[INDEX.size()];
            byName.forEach((name, x) -> {
                Integer i = INDEX.get(name);
                if (i != null && x != null) {
                    v[i] = x;
                }
            });
            return v;
        }
    }

    static final List<String> PRESTATIONS = List.of("AF", "AL", "RSA", "AAH", "PPA", "PAJE", "AUTRES");
    static final List<String> AL_TYPES = List.of("APL", "ALF", "ALS");

    static final Map<String, String> AGGREGATES = new LinkedHashMap<>();

    static {
        AGGREGATES.put("n", "count(*)");
        AGGREGATES.put("pers", "sum(pers)");
        AGGREGATES.put("pscr", "count_if(mt_al + mt_rsa + mt_aah + mt_ppa + mt_paje > 0)");
        AGGREGATES.put("sf_isole_sans_enfant", "count_if(sit = 'isole' AND nb = 0)");
        AGGREGATES.put("sf_isole_avec_enfants", "count_if(sit = 'isole' AND nb > 0)");
        AGGREGATES.put("sf_couple_sans_enfant", "count_if(sit = 'couple' AND nb = 0)");
        AGGREGATES.put("sf_couple_avec_enfants", "count_if(sit = 'couple' AND nb > 0)");
        AGGREGATES.put("fam1", "count_if(nb >= 1)");
        AGGREGATES.put("fam3", "count_if(nb >= 3)");
        String[] classes = {"0_2", "3_5", "6_10", "11_14", "15_17", "18_24"};
        for (String c : classes) {
            AGGREGATES.put("enf_" + c, "sum(enf_" + c + ")");
        }
        AGGREGATES.put("enf", "sum(nb)");
        for (String t : AL_TYPES) {
            AGGREGATES.put("al_n_" + t, "count_if(tal = '" + t + "' AND mt_al > 0)");
            AGGREGATES.put("al_m_" + t, "coalesce(sum(mt_al) FILTER (WHERE tal = '" + t + "'), 0)");
            AGGREGATES.put("al_x_" + t, "coalesce(max(mt_al) FILTER (WHERE tal = '" + t + "'), 0)");
        }
        AGGREGATES.put("al_n", "count_if(mt_al > 0)");
        AGGREGATES.put("rsa_n", "count_if(mt_rsa > 0)");
        AGGREGATES.put("aah_n", "count_if(mt_aah > 0 AND mt_rsa = 0)");
        AGGREGATES.put("min_n", "count_if(mt_rsa > 0 OR mt_aah > 0)");
        for (String p : PRESTATIONS) {
            String col = "mt_" + p.toLowerCase(java.util.Locale.ROOT);
            AGGREGATES.put("p_m_" + p, "sum(" + col + ")");
            AGGREGATES.put("p_x_" + p, "max(" + col + ")");
            AGGREGATES.put("p_n_" + p, "count_if(" + col + " > 0)");
        }
        AGGREGATES.put("p_m", "sum(presta)");
        AGGREGATES.put("p_x", "max(presta)");
        AGGREGATES.put("p_n", "count_if(presta > 0)");
        AGGREGATES.put("dep", "count_if(presta >= 0.5 * ressources)");
        AGGREGATES.put("basrev", "count_if(ruc < getvariable('fedgate_seuil_bas_revenus'))");
    }

    private static final Map<String, Integer> INDEX;

    static {
        Map<String, Integer> m = new HashMap<>();
        for (String name : AGGREGATES.keySet()) {
            m.put(name, m.size());
        }
        INDEX = Map.copyOf(m);
    }

    /** Position of an aggregate in {@link Row#values()}. */
    static int index(String name) {
        Integer i = INDEX.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no aggregate " + name);
        }
        return i;
    }

    /** Aggregates rolled up by max (the others are counts or sums, rolled up by sum). */
    private static final Set<String> ROLLED_UP_BY_MAX;

    static {
        Set<String> m = new java.util.HashSet<>();
        AGGREGATES.forEach((name, expr) -> {
            if (expr.contains("max(")) {
                m.add(name);
            }
        });
        ROLLED_UP_BY_MAX = Set.copyOf(m);
    }

    /** Deciles are computed only for groups of at least this many households (the policy's quantile minimum is 11). */
    static final int DECILE_MIN_HOUSEHOLDS = 11;

    private static final Map<Level, String> GROUP_COLUMN = Map.of(Level.IRIS, "iris", Level.COMMUNE, "commune",
            Level.EPCI, "epci", Level.DEPARTEMENT, "departement", Level.NATIONAL, "pays");

    /**
     * @param millis        the whole aggregation
     * @param sortingMillis of which the deciles' sorting and selection in Java, after the values were read
     */
    record Aggregation(Map<String, Row> rows, LocalDate snapshotDate, long millis, long sortingMillis) {
        Row row(Level l, String code) {
            return rows.get(l.code() + ":" + code);
        }
    }

    static Aggregation aggregate(Path snapshot, Geography geo, List<Territory> scopeCommunes, Set<Level> levels,
                                 double lowIncomeThreshold) throws SQLException {
        return aggregate(snapshot, geo, scopeCommunes, levels, lowIncomeThreshold, true);
    }

    /**
     * The scope communes in the order of the deciles' stream: by country, département, EPCI, then code (missing
     * parents first), so that the households of any EPCI, département or country are contiguous once sorted by commune.
     */
    record Scope(String[] commune, String[] epci, String[] departement, String[] pays) {
        int size() {
            return commune.length;
        }

        /** Code of commune {@code i}'s territory at {@code level} (commune, EPCI, département, national). */
        String code(Level level, int i) {
            return switch (level) {
                case COMMUNE -> commune[i];
                case EPCI -> epci[i];
                case DEPARTEMENT -> departement[i];
                case NATIONAL -> pays[i];
                case IRIS -> throw new IllegalArgumentException("IRIS is below the commune");
            };
        }

        static Scope of(Geography geo, List<Territory> scopeCommunes) {
            int m = scopeCommunes.size();
            String[][] rows = new String[m][];
            for (int i = 0; i < m; i++) {
                Territory t = scopeCommunes.get(i);
                String dep = t.parent() == null ? null
                        : geo.find(Level.EPCI, t.parent()).map(Territory::parent).orElse(null);
                String pays = dep == null ? null
                        : geo.find(Level.DEPARTEMENT, dep).map(Territory::parent).orElse(null);
                rows[i] = new String[] {pays, dep, t.parent(), t.code()};
            }
            Comparator<String> c = Comparator.nullsFirst(Comparator.naturalOrder());
            Arrays.sort(rows, Comparator.<String[], String>comparing(r -> r[0], c).thenComparing(r -> r[1], c)
                    .thenComparing(r -> r[2], c).thenComparing(r -> r[3], c));
            Scope s = new Scope(new String[m], new String[m], new String[m], new String[m]);
            for (int i = 0; i < m; i++) {
                s.pays[i] = rows[i][0];
                s.departement[i] = rows[i][1];
                s.epci[i] = rows[i][2];
                s.commune[i] = rows[i][3];
            }
            return s;
        }
    }

    private static Aggregation aggregate(Path snapshot, Geography geo, List<Territory> scopeCommunes,
                                         Set<Level> levels, double lowIncomeThreshold, boolean materialise)
            throws SQLException {
        long t0 = System.nanoTime();
        SnapshotFiles.Format format = SnapshotFiles.formatOf(snapshot);
        String source = format == SnapshotFiles.Format.PARQUET ? "read_parquet(?)"
                : "read_csv(?, header = true, types = {'id_foyer': 'VARCHAR', 'iris': 'VARCHAR', 'commune': 'VARCHAR',"
                + " 'epci': 'VARCHAR', 'departement': 'VARCHAR', 'type_aide_logement': 'VARCHAR'})";
        Scope scope = Scope.of(geo, scopeCommunes);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE scope_commune (code VARCHAR, epci VARCHAR, departement VARCHAR,"
                        + " pays VARCHAR, idx INTEGER)");
            }
            try (DuckDBAppender a = c.unwrap(DuckDBConnection.class)
                    .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "scope_commune")) {
                for (int i = 0; i < scope.size(); i++) {
                    a.beginRow();
                    a.append(scope.commune[i]);
                    a.append(scope.epci[i]);
                    a.append(scope.departement[i]);
                    a.append(scope.pays[i]);
                    a.append(i);
                    a.endRow();
                }
            }
            try (PreparedStatement p = c.prepareStatement("SET VARIABLE fedgate_seuil_bas_revenus = ?")) {
                p.setDouble(1, lowIncomeThreshold);
                p.execute();
            }
            LocalDate date;
            try (PreparedStatement p = c.prepareStatement("SELECT max(date_reference)::DATE FROM " + source)) {
                p.setString(1, snapshot.toString());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    java.sql.Date d = rs.getDate(1);
                    date = d == null ? null : d.toLocalDate();
                }
            }
            List<String> sqls = statements(source, levels);
            boolean iris = levels.contains(Level.IRIS);
            Map<String, Row> rows = new HashMap<>();
            long sortingMillis = 0;
            for (int q = 0; q < sqls.size(); q++) {
                int[] reserved = q == DECILES && materialise ? householdsPerCommune(c, scope) : null;
                try (PreparedStatement p = c.prepareStatement(sqls.get(q))) {
                    if (q != ROLLUP) {
                        p.setString(1, snapshot.toString());
                    }
                    if (q == FINE) {
                        p.execute();
                        continue;
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        if (!materialise) {
                            // the raw baseline: the same statements, results read and dropped
                            long sink = 0;
                            while (rs.next()) {
                                if (q == DECILES) {
                                    sink += rs.getInt(1) + (long) rs.getDouble(iris ? 3 : 2);
                                    if (iris) {
                                        String code = rs.getString(2);
                                        sink += code == null ? 0 : code.length();
                                    }
                                } else {
                                    sink += rs.getString(2) == null ? 0 : (long) rs.getDouble(3);
                                }
                            }
                            blackhole += sink;
                            continue;
                        }
                        if (q == ROLLUP) {
                            int width = AGGREGATES.size();
                            while (rs.next()) {
                                String key = rs.getString(1) + ":" + rs.getString(2);
                                double[] v = new double[width];
                                for (int k = 0; k < width; k++) {
                                    v[k] = rs.getDouble(3 + k);
                                }
                                rows.put(key, new Row(v, nanDeciles()));
                            }
                        } else {
                            Deciles d = Deciles.read(rs, scope, reserved, iris);
                            long ts = System.nanoTime();
                            d.publish(levels, rows);
                            sortingMillis = (System.nanoTime() - ts) / 1_000_000;
                        }
                    }
                }
            }
            rows.keySet().removeIf(k -> k.endsWith(":null"));
            return new Aggregation(rows, date, (System.nanoTime() - t0) / 1_000_000, sortingMillis);
        }
    }

    /** Where the raw baseline's reads go, so that they are not optimised away. */
    static volatile long blackhole;

    /** Households per scope commune (by stream index), from the finest-level table: the deciles' stream is the same. */
    private static int[] householdsPerCommune(Connection c, Scope scope) throws SQLException {
        int[] n = new int[scope.size()];
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT s.idx, sum(f.n)::BIGINT FROM fine f JOIN scope_commune s"
                     + " ON f.commune = s.code GROUP BY s.idx")) {
            while (rs.next()) {
                long x = rs.getLong(2);
                if (x > Integer.MAX_VALUE) {
                    throw new IllegalStateException("too many households in one commune: " + x);
                }
                n[rs.getInt(1)] = (int) x;
            }
        }
        return n;
    }

    static double[] nanDeciles() {
        double[] d = new double[9];
        Arrays.fill(d, Double.NaN);
        return d;
    }

    /** Indices of the statements in {@link #statements}. */
    static final int FINE = 0;
    static final int ROLLUP = 1;
    static final int DECILES = 2;

    /**
     * The three statements of an aggregation, in order:
     * <ol>
     *   <li>{@link #FINE}: one pass over the snapshot, every additive aggregate (counts, sums, maxima) at the finest
     *   requested level only (IRIS if asked, else commune), into a temp table of a few thousand rows;</li>
     *   <li>{@link #ROLLUP}: that small table rolled up to every requested level with {@code GROUPING SETS} (sums of
     *   counts and sums, maxima of maxima — exact, since all of these are decomposable);</li>
     *   <li>{@link #DECILES}: the households' income per UC streamed out once, narrow (commune index in the scope's
     *   order, IRIS code when the IRIS level is asked, value), no grouping: the exact deciles ({@code quantile_cont}'s,
     *   which need every value of a group and cannot be rolled up) are selected in Java from sorted runs merged upwards
     *   ({@link Deciles}), for groups of at least {@link #DECILE_MIN_HOUSEHOLDS} households — below that the quantile
     *   rule suppresses the cell anyway (its value stays unset, NaN, which the rule treats the same way).</li>
     * </ol>
     * Statements 1 and 3 take the snapshot path as their only parameter.
     */
    static List<String> statements(String source, Set<Level> levels) {
        List<Level> ls = new ArrayList<>(levels);
        ls.sort(null);
        boolean iris = levels.contains(Level.IRIS);
        String fineCols = iris ? "iris, commune" : "commune";
        StringBuilder fine = new StringBuilder("CREATE OR REPLACE TEMP TABLE fine AS WITH h AS (SELECT "
                + (iris ? "x.iris, " : "") + "x.commune,"
                + " x.situation_familiale AS sit,"
                + " (x.enf_0_2 + x.enf_3_5 + x.enf_6_10 + x.enf_11_14 + x.enf_15_17 + x.enf_18_24) AS nb,"
                + " x.enf_0_2, x.enf_3_5, x.enf_6_10, x.enf_11_14, x.enf_15_17, x.enf_18_24,"
                + " x.personnes_couvertes AS pers, x.type_aide_logement AS tal,"
                // DECIMAL columns (mt_af, mt_paje, uc) cast once to DOUBLE: no 128-bit decimal arithmetic per row
                + " x.mt_af::DOUBLE AS mt_af, x.mt_al, x.mt_rsa, x.mt_aah, x.mt_ppa, x.mt_paje::DOUBLE AS mt_paje,"
                + " x.mt_autres, (x.mt_af::DOUBLE + x.mt_al + x.mt_rsa + x.mt_aah + x.mt_ppa + x.mt_paje::DOUBLE"
                + " + x.mt_autres) AS presta, x.ressources, x.ressources / x.uc::DOUBLE AS ruc"
                + " FROM " + source + " AS x SEMI JOIN scope_commune s ON x.commune = s.code)"
                + " SELECT " + fineCols);
        for (Map.Entry<String, String> e : AGGREGATES.entrySet()) {
            fine.append(", ").append(e.getValue()).append(" AS ").append(e.getKey());
        }
        fine.append(" FROM h GROUP BY ").append(fineCols);

        StringBuilder rollup = new StringBuilder("SELECT ").append(levelAndCode(ls));
        for (String name : AGGREGATES.keySet()) {
            String f = ROLLED_UP_BY_MAX.contains(name) ? "max" : "sum";
            rollup.append(", ").append(f).append("(f.").append(name).append(")::DOUBLE AS ").append(name);
        }
        rollup.append(" FROM fine f JOIN scope_commune s ON f.commune = s.code");
        rollup.append(" GROUP BY GROUPING SETS (").append(groupingSets(ls)).append(")");

        String deciles = "SELECT s.idx" + (iris ? ", x.iris" : "")
                + ", x.ressources / x.uc::DOUBLE AS ruc FROM " + source + " AS x JOIN scope_commune s ON x.commune = s.code";
        return List.of(fine.toString(), rollup.toString(), deciles);
    }

    private static String levelAndCode(List<Level> ls) {
        StringBuilder sql = new StringBuilder("CASE");
        for (Level l : ls) {
            sql.append(" WHEN GROUPING(").append(GROUP_COLUMN.get(l)).append(") = 0 THEN '").append(l.code())
                    .append("'");
        }
        sql.append(" END AS lvl, coalesce(");
        sql.append(String.join(", ", ls.stream().map(GROUP_COLUMN::get).toList()));
        return sql.append(") AS code").toString();
    }

    private static String groupingSets(List<Level> ls) {
        return String.join(", ", ls.stream().map(l -> "(" + GROUP_COLUMN.get(l) + ")").toList());
    }

    /**
     * The benchmark's baseline: the same statements on the same data, their results read and dropped, nothing of the
     * engine around them.
     */
    static long rawAggregationMillis(Path snapshot, Geography geo, List<Territory> scopeCommunes, Set<Level> levels,
                                     double lowIncomeThreshold) throws SQLException {
        return aggregate(snapshot, geo, scopeCommunes, levels, lowIncomeThreshold, false).millis();
    }
}
