package fedgate.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The split aggregation (additive aggregates at the finest level rolled up, deciles selected in Java from a separate
 * narrow stream) gives the values of the former single {@code GROUPING SETS} query, kept here as the reference: every
 * aggregate of every territory at every level, and every decile of every group of at least 11 households, the latter
 * to the bit (DuckDB's {@code quantile_cont}).
 */
class SplitAggregationTest {

    @TempDir
    Path tmp;

    @Test
    void metropoleIrisCommuneEpciSameValuesAsOneGroupingSetsQuery() throws Exception {
        Geography geo = Geography.metropoleRouen();
        Territory root = geo.find(Geography.METROPOLE_ROUEN_EPCI).orElseThrow();
        compare(SampleSnapshot.get(), geo, root, EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI));
    }

    @Test
    void nationalFourLevelsSameValuesAsOneGroupingSetsQuery() throws Exception {
        Geography geo = Geography.syntheticNational(1);
        Path snap = SnapshotGenerator.generate(geo, 60_000, 2024, 5, tmp.resolve("national.parquet")).file();
        Territory root = geo.find(Geography.FRANCE).orElseThrow();
        compare(snap, geo, root, EnumSet.of(Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.NATIONAL));
    }

    private static void compare(Path snap, Geography geo, Territory root, Set<Level> levels) throws Exception {
        List<Territory> communes = geo.descendantsAt(root, Level.COMMUNE);
        SnapshotAggregator.Aggregation split = SnapshotAggregator.aggregate(snap, geo, communes, levels, 11_000);
        Map<String, SnapshotAggregator.Row> reference = reference(snap, geo, communes, levels, 11_000);
        assertThat(split.rows().keySet()).isEqualTo(reference.keySet());
        int deciles = 0;
        for (Map.Entry<String, SnapshotAggregator.Row> e : reference.entrySet()) {
            SnapshotAggregator.Row want = e.getValue();
            SnapshotAggregator.Row got = split.rows().get(e.getKey());
            for (String name : SnapshotAggregator.AGGREGATES.keySet()) {
                assertThat(got.get(name)).as(e.getKey() + " " + name)
                        .isCloseTo(want.get(name), within(1e-6 * Math.max(1, Math.abs(want.get(name)))));
            }
            if (want.get("n") >= SnapshotAggregator.DECILE_MIN_HOUSEHOLDS) {
                for (int k = 0; k < 9; k++) {
                    // exactly DuckDB's quantile_cont, to the bit
                    assertThat(Double.doubleToLongBits(got.deciles()[k])).as(e.getKey() + " decile " + (k + 1)
                                    + ": " + got.deciles()[k] + " vs " + want.deciles()[k])
                            .isEqualTo(Double.doubleToLongBits(want.deciles()[k]));
                    deciles++;
                }
            } else {
                assertThat(java.util.Arrays.stream(got.deciles()).allMatch(Double::isNaN)).as(e.getKey()).isTrue();
            }
        }
        assertThat(deciles).isGreaterThan(9 * 10);
    }

    /** The former single query: every aggregate and the deciles in one GROUPING SETS pass over the snapshot. */
    private static Map<String, SnapshotAggregator.Row> reference(Path snap, Geography geo, List<Territory> communes,
                                                                 Set<Level> levels, double threshold) throws Exception {
        Map<Level, String> col = Map.of(Level.IRIS, "iris", Level.COMMUNE, "commune", Level.EPCI, "epci",
                Level.DEPARTEMENT, "departement", Level.NATIONAL, "pays");
        List<Level> ls = new ArrayList<>(levels);
        ls.sort(null);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE scope_commune (code VARCHAR, epci VARCHAR, departement VARCHAR, pays VARCHAR)");
                s.execute("SET VARIABLE fedgate_seuil_bas_revenus = " + threshold);
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO scope_commune VALUES (?, ?, ?, ?)")) {
                for (Territory t : communes) {
                    String dep = geo.find(Level.EPCI, t.parent()).map(Territory::parent).orElse(null);
                    String pays = dep == null ? null : geo.find(Level.DEPARTEMENT, dep).map(Territory::parent).orElse(null);
                    p.setString(1, t.code());
                    p.setString(2, t.parent());
                    p.setString(3, dep);
                    p.setString(4, pays);
                    p.addBatch();
                }
                p.executeBatch();
            }
            StringBuilder sql = new StringBuilder("WITH h AS (SELECT x.iris, x.commune, s.epci, s.departement, s.pays,"
                    + " x.situation_familiale AS sit,"
                    + " (x.enf_0_2 + x.enf_3_5 + x.enf_6_10 + x.enf_11_14 + x.enf_15_17 + x.enf_18_24) AS nb,"
                    + " x.enf_0_2, x.enf_3_5, x.enf_6_10, x.enf_11_14, x.enf_15_17, x.enf_18_24,"
                    + " x.personnes_couvertes AS pers, x.type_aide_logement AS tal,"
                    + " x.mt_af, x.mt_al, x.mt_rsa, x.mt_aah, x.mt_ppa, x.mt_paje, x.mt_autres,"
                    + " (x.mt_af + x.mt_al + x.mt_rsa + x.mt_aah + x.mt_ppa + x.mt_paje + x.mt_autres) AS presta,"
                    + " x.ressources, x.ressources / x.uc AS ruc"
                    + " FROM read_parquet(?) AS x JOIN scope_commune s ON x.commune = s.code) SELECT CASE");
            for (Level l : ls) {
                sql.append(" WHEN GROUPING(").append(col.get(l)).append(") = 0 THEN '").append(l.code()).append("'");
            }
            sql.append(" END AS lvl, coalesce(").append(String.join(", ", ls.stream().map(col::get).toList()))
                    .append(") AS code");
            SnapshotAggregator.AGGREGATES.forEach((name, expr) -> sql.append(", ").append(expr).append(" AS ").append(name));
            sql.append(", quantile_cont(ruc, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) AS deciles");
            sql.append(" FROM h GROUP BY GROUPING SETS (")
                    .append(String.join(", ", ls.stream().map(l -> "(" + col.get(l) + ")").toList())).append(")");
            Map<String, SnapshotAggregator.Row> rows = new HashMap<>();
            try (PreparedStatement p = c.prepareStatement(sql.toString())) {
                p.setString(1, snap.toString());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString("code") == null) {
                            continue;
                        }
                        Map<String, Double> v = new HashMap<>();
                        for (String name : SnapshotAggregator.AGGREGATES.keySet()) {
                            v.put(name, rs.getDouble(name));
                        }
                        Array arr = rs.getArray("deciles");
                        Object[] xs = (Object[]) arr.getArray();
                        double[] dec = new double[9];
                        for (int k = 0; k < 9; k++) {
                            dec[k] = ((Number) xs[k]).doubleValue();
                        }
                        rows.put(rs.getString("lvl") + ":" + rs.getString("code"), new SnapshotAggregator.Row(v, dec));
                    }
                }
            }
            return rows;
        }
    }
}
