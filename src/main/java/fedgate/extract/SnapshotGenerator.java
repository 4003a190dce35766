package fedgate.extract;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic allocataire snapshots, one row per household, reproducible for a seed. Rows are generated inside DuckDB
 * from {@code hash(row, seed, k)} — a pure function of the row number, so the output does not depend on thread
 * scheduling — and streamed to Parquet or CSV without passing through the JVM heap. Households are spread over the
 * geography's leaf units in proportion to INSEE population; each leaf has a precarity level that shifts family
 * structure, income and benefits, so that territories differ and small cells occur.
 */
public final class SnapshotGenerator {

    /** Columns of a snapshot; {@code id_foyer} is a pseudonymous identifier and must never reach an extract. */
    public static final List<String> COLUMNS = List.of("id_foyer", "date_reference", "iris", "commune", "epci",
            "departement", "situation_familiale", "sexe", "age", "enf_0_2", "enf_3_5", "enf_6_10", "enf_11_14",
            "enf_15_17", "enf_18_24", "personnes_couvertes", "type_aide_logement", "mt_af", "mt_al", "mt_rsa",
            "mt_aah", "mt_ppa", "mt_paje", "mt_autres", "revenus_activite", "ressources", "uc");

    public record Result(Path file, long households, int leafUnits, long millis) {
    }

    private SnapshotGenerator() {
    }

    public static Result generate(Geography geo, long households, int year, long seed, Path out)
            throws IOException, SQLException {
        if (households < 1 || households > 100_000_000L) {
            throw new IllegalArgumentException("households must be between 1 and 100 000 000");
        }
        if (year < 2000 || year > 2100) {
            throw new IllegalArgumentException("year must be between 2000 and 2100");
        }
        long t0 = System.nanoTime();
        Path target = out.toAbsolutePath().normalize();
        SnapshotFiles.Format format = SnapshotFiles.formatOf(target);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Written under a name we choose, then moved: a partial file is never visible under the requested name.
        Path tmp = dir.resolve(".fedgate-gen-" + Long.toUnsignedString(new SplittableRandom().nextLong(), 36)
                + (format == SnapshotFiles.Format.PARQUET ? ".parquet" : ".csv"));
        String literal = SnapshotFiles.sqlLiteral(tmp);
        List<Territory> leaves = geo.leafUnits();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE geo_leaf (iris VARCHAR, commune VARCHAR, epci VARCHAR, departement VARCHAR,"
                        + " cum_lo DOUBLE, precarite DOUBLE, famille DOUBLE, rappel DOUBLE)");
            }
            loadLeaves(c, geo, leaves, households, seed);
            try (PreparedStatement p = c.prepareStatement("SET VARIABLE gen_seed = ?")) {
                p.setLong(1, seed);
                p.execute();
            }
            try (PreparedStatement p = c.prepareStatement("SET VARIABLE gen_n = ?")) {
                p.setLong(1, households);
                p.execute();
            }
            try (PreparedStatement p = c.prepareStatement("SET VARIABLE gen_year = ?")) {
                p.setInt(1, year);
                p.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP MACRO u(i, k) AS "
                        + "((hash(i, getvariable('gen_seed'), k) % 1000000007)::DOUBLE + 0.5) / 1000000007.0");
                s.execute("CREATE TEMP MACRO nrm(i, k) AS sqrt(-2 * ln(u(i, k))) * cos(2 * pi() * u(i, k + 500))");
                String options = format == SnapshotFiles.Format.PARQUET
                        ? "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)" : "(FORMAT csv, HEADER true)";
                s.execute("COPY (" + HOUSEHOLDS_SQL + ") TO " + literal + " " + options);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Result(target, households, leaves.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Expected covered persons of a household never exceed this share of a territory's INSEE population: households
     * are spread in proportion to population (a little more in deprived territories), and where a territory would
     * hold more households than its population allows, family sizes shrink (fewer couples and children), see
     * {@link #familyFactor}. At realistic densities (the Métropole has about 110 000 allocataires for 500 000
     * inhabitants) nothing shrinks; the default 250 000 households is 2.3 times that, and families are smaller.
     */
    static final double MAX_COVERAGE = 0.90;

    /**
     * Leaves under this population (IRIS d'activité, small communes) host a foyer-résidence: 1 % of their households
     * get an exceptional back-payment, 0.02 % elsewhere — so that dominance (rule 3) meets published-size territories.
     */
    static final long SMALL_LEAF = 1000;

    private static void loadLeaves(Connection c, Geography geo, List<Territory> leaves, long households, long seed)
            throws SQLException {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int n = leaves.size();
        double[] prec = new double[n];
        double[] weight = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++) {
            // precarity in [0,1]: most leaves middling, a few deprived (quartiers prioritaires) or well-off
            prec[k] = Math.min(1, Math.max(0, 0.35 + 0.2 * (rnd.nextDouble() + rnd.nextDouble() - 1)
                    + (rnd.nextDouble() < 0.15 ? 0.4 : 0)));
            // deprived territories have more allocataires per inhabitant
            weight[k] = leaves.get(k).population() * (0.85 + 0.3 * prec[k]);
            total += weight[k];
        }
        double cum = 0;
        try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "geo_leaf")) {
            for (int k = 0; k < n; k++) {
                Territory leaf = leaves.get(k);
                Territory commune = geo.find(Level.COMMUNE, leaf.parent()).orElseThrow();
                String epci = commune.parent();
                String dep = epci == null ? null : geo.find(Level.EPCI, epci).map(Territory::parent).orElse(null);
                double expectedHouseholds = households * weight[k] / total;
                // three standard deviations of margin, so that small territories stay under 100 % too
                double persons = MAX_COVERAGE * leaf.population() - 3 * Math.sqrt(leaf.population());
                double budget = persons / Math.max(1e-9, expectedHouseholds) - 1;
                a.beginRow();
                a.append(leaf.code());
                a.append(commune.code());
                a.append(epci);
                a.append(dep);
                a.append(cum / total);
                a.append(prec[k]);
                a.append(familyFactor(prec[k], budget));
                a.append(leaf.population() < SMALL_LEAF ? 0.01 : 0.0002);
                a.endRow();
                cum += weight[k];
            }
        }
    }

    /**
     * Expected persons beyond the allocataire (spouse, children, others) of a household of precarity p when the
     * probabilities of a couple and of children are multiplied by f — mirrors the SQL below.
     */
    static double expectedExtraPersons(double p, double f) {
        double couple = (0.42 - 0.20 * p) * f;
        double kids = couple * 0.72 * f + (1 - couple) * (0.36 + 0.10 * p) * f;
        return couple + kids * MEAN_CHILDREN + 0.03;
    }

    /** Mean number of children of a household with children (1: 42 %, 2: 36 %, 3: 14 %, 4: 5.5 %, 5: 2.5 %). */
    static final double MEAN_CHILDREN = 0.42 + 2 * 0.36 + 3 * 0.14 + 4 * 0.055 + 5 * 0.025;

    /** The largest f in [0, 1] whose expected extra persons fit the budget (bisection; 0 when nothing fits). */
    static double familyFactor(double p, double budget) {
        if (expectedExtraPersons(p, 1) <= budget) {
            return 1;
        }
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (expectedExtraPersons(p, mid) <= budget) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    // Amounts are monthly euros, orders of magnitude of 2024 scales (RSA 635 € for one person, AF 148 € for two
    // children, AAH 1 016 €); the point is plausible shapes, not legal exactness. RSA: resources under 600 € per UC,
    // 70 % take-up, which gives 10-15 % of allocataires. A few households (see SMALL_LEAF) get an exceptional
    // back-payment (rappel) of 12 000-42 000 € booked under other benefits: the amounts the dominance rule exists for.
    private static final String HOUSEHOLDS_SQL = """
            WITH r AS (
              SELECT range AS i, u(range, 0) AS ug FROM range(getvariable('gen_n'))
            ), g AS (
              SELECT r.i, l.iris, l.commune, l.epci, l.departement, l.precarite AS p, l.famille AS f, l.rappel
              FROM r ASOF JOIN geo_leaf l ON r.ug >= l.cum_lo
            ), s1 AS (
              SELECT *,
                CASE WHEN u(i, 1) < (0.42 - 0.20 * p) * f THEN 'couple' ELSE 'isole' END AS sit,
                u(i, 2) AS u_kids, u(i, 3) AS u_nb
              FROM g
            ), s2 AS (
              SELECT *,
                CASE WHEN u_kids < (CASE WHEN sit = 'couple' THEN 0.72 ELSE 0.36 + 0.10 * p END) * f THEN
                  CASE WHEN u_nb < 0.42 THEN 1 WHEN u_nb < 0.78 THEN 2 WHEN u_nb < 0.92 + 0.0 * p THEN 3
                       WHEN u_nb < 0.975 THEN 4 ELSE 5 END
                ELSE 0 END AS nb
              FROM s1
            ), s3 AS (
              SELECT *,
                list_transform(range(5), j -> CASE WHEN j < nb THEN
                  (CASE WHEN u(i, 10 + j) < 0.12 THEN 0 WHEN u(i, 10 + j) < 0.24 THEN 1 WHEN u(i, 10 + j) < 0.44 THEN 2
                        WHEN u(i, 10 + j) < 0.60 THEN 3 WHEN u(i, 10 + j) < 0.72 THEN 4 ELSE 5 END) ELSE -1 END) AS cls,
                CASE WHEN nb > 0 THEN 21 + floor(u(i, 4) * 36)::INT ELSE 18 + floor(u(i, 4) * 62)::INT END AS age,
                CASE WHEN u(i, 5) < (CASE WHEN sit = 'isole' AND nb > 0 THEN 0.86 ELSE 0.55 END) THEN 'F' ELSE 'M' END AS sexe,
                CASE WHEN u(i, 6) < 0.03 THEN 1 ELSE 0 END AS autres_pers,
                u(i, 7) < 0.04 + 0.10 * p AS sans_revenu,
                exp(7.40 + 0.55 * nrm(i, 8) - 0.5 * p) AS rev_base
              FROM s2
            ), s4 AS (
              SELECT *,
                list_count(list_filter(cls, x -> x = 0)) AS e0, list_count(list_filter(cls, x -> x = 1)) AS e1,
                list_count(list_filter(cls, x -> x = 2)) AS e2, list_count(list_filter(cls, x -> x = 3)) AS e3,
                list_count(list_filter(cls, x -> x = 4)) AS e4, list_count(list_filter(cls, x -> x = 5)) AS e5
              FROM s3
            ), s5 AS (
              SELECT *,
                1 + (CASE WHEN sit = 'couple' THEN 1 ELSE 0 END) + nb + autres_pers AS pers,
                1 + (CASE WHEN sit = 'couple' THEN 0.5 ELSE 0 END) + 0.3 * (e0 + e1 + e2 + e3) + 0.5 * (e4 + e5)
                  + 0.5 * autres_pers AS uc_,
                CASE WHEN sans_revenu THEN 0 ELSE round(rev_base * (CASE WHEN sit = 'couple' THEN 1.7 ELSE 1 END), 0) END AS rev,
                u(i, 20) < 0.035 + 0.05 * p AND age >= 20 AS aah_,
                e0 + e1 + e2 + e3 + e4 AS enf_af
              FROM s4
            ), s6 AS (
              SELECT *,
                CASE WHEN aah_ THEN round(1016 * (0.45 + 0.55 * u(i, 21)), 2) ELSE 0 END AS m_aah,
                CASE WHEN NOT aah_ AND age >= 25 AND rev < 600 * uc_ AND u(i, 30) < 0.70
                     THEN round(greatest(0, 635 * uc_ * 0.96 - 0.62 * rev), 2) ELSE 0 END AS m_rsa,
                CASE WHEN rev BETWEEN 550 AND 1950 * (CASE WHEN sit = 'couple' THEN 1.5 ELSE 1 END)
                     THEN round(60 + 190 * u(i, 22), 2) ELSE 0 END AS m_ppa,
                CASE WHEN enf_af = 2 THEN 148.52 WHEN enf_af >= 3 THEN round(338.79 + 190.27 * (enf_af - 3), 2) ELSE 0 END AS m_af,
                CASE WHEN e0 > 0 AND u(i, 23) < 0.85 THEN 192.09 ELSE 0 END AS m_paje,
                CASE WHEN rev / uc_ < 1350 AND u(i, 24) < 0.55 + 0.35 * p THEN
                  CASE WHEN u(i, 25) < 0.55 THEN 'APL' WHEN nb > 0 OR sit = 'couple' THEN 'ALF' ELSE 'ALS' END
                END AS t_al,
                CASE WHEN sit = 'isole' AND nb > 0 AND u(i, 26) < 0.30 THEN round(195.85 * nb, 2) ELSE 0 END
                  + CASE WHEN u(i, 27) < rappel THEN round(12000 + 30000 * u(i, 31), 2) ELSE 0 END AS m_autres0
              FROM s5
            ), s7 AS (
              SELECT *,
                CASE WHEN t_al IS NULL THEN 0 ELSE round(greatest(15, 260 + 55 * nb + 90 * u(i, 28) - 0.22 * rev), 2) END AS m_al
              FROM s6
            ), s8 AS (
              SELECT *,
                CASE WHEN m_af + m_al + m_rsa + m_aah + m_ppa + m_paje + m_autres0 = 0
                     THEN round(25 + 90 * u(i, 29), 2) ELSE m_autres0 END AS m_autres
              FROM s7
            )
            SELECT
              printf('F%016X', hash(i, getvariable('gen_seed'), 99)) AS id_foyer,
              make_date(getvariable('gen_year'), 12, 31) AS date_reference,
              iris, commune, epci, departement,
              sit AS situation_familiale, sexe, age,
              e0::INT AS enf_0_2, e1::INT AS enf_3_5, e2::INT AS enf_6_10, e3::INT AS enf_11_14, e4::INT AS enf_15_17,
              e5::INT AS enf_18_24,
              pers::INT AS personnes_couvertes,
              t_al AS type_aide_logement,
              m_af AS mt_af, m_al AS mt_al, m_rsa AS mt_rsa, m_aah AS mt_aah, m_ppa AS mt_ppa, m_paje AS mt_paje,
              m_autres AS mt_autres,
              rev AS revenus_activite,
              round(rev + m_af + m_al + m_rsa + m_aah + m_ppa + m_paje + m_autres, 2) AS ressources,
              uc_ AS uc
            FROM s8
            ORDER BY i
            """;
}
