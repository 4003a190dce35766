package fedgate.extract;

import fedgate.disclosure.Cell;
import fedgate.disclosure.CellKind;
import fedgate.disclosure.CellStatus;
import fedgate.disclosure.DisclosureControl;
import fedgate.disclosure.DisclosurePolicy;
import fedgate.disclosure.DisclosureTable;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The extract engine: snapshot → aggregates (DuckDB) → cells of every catalogue indicator → disclosure control →
 * the requested cells, written as {@code extract.csv}, {@code extract.json} and the disclosure reports.
 *
 * <p>Disclosure control always runs on the whole catalogue over the whole hierarchy under the coarsest requested
 * territory, and the extract delivers the requested subset. The suppression pattern is therefore the same whatever
 * subset is asked for, so two extracts of one snapshot cannot be combined to undo each other's protection, and
 * the audit verdict holds for the subset (publishing fewer cells only widens the intervals).
 */
public final class ExtractEngine {

    private final Geography geography;
    private final IndicatorCatalogue catalogue;
    private final DisclosurePolicy policy;

    public ExtractEngine(Geography geography, IndicatorCatalogue catalogue, DisclosurePolicy policy) {
        this.geography = geography;
        this.catalogue = catalogue;
        this.policy = policy;
    }

    /** Engine on the Métropole Rouen Normandie geography with the shipped catalogue and policy. */
    public static ExtractEngine metropoleRouen() {
        return new ExtractEngine(Geography.metropoleRouen(), IndicatorCatalogue.load(), DisclosurePolicy.load());
    }

    public Geography geography() { return geography; }
    public IndicatorCatalogue catalogue() { return catalogue; }
    public DisclosurePolicy policy() { return policy; }

    /** The protected table and the cells an extract would deliver, without writing anything. */
    public record Plan(List<IndicatorCatalogue.Indicator> indicators, Territory territory, Set<Level> levels,
                       DisclosureTable table, List<Cell> delivered, DisclosureControl.Outcome outcome,
                       LocalDate snapshotDate, long aggregationMillis, long disclosureMillis) {
    }

    /** Runs an extract end to end and writes it (or, if the audit fails, only the reports). */
    public ExtractResult run(ExtractSpec spec) throws IOException, SQLException {
        long t0 = System.nanoTime();
        ExtractWriter.checkOutputDir(spec.outputDir());
        Plan plan = plan(spec.snapshot(), spec.indicators(), spec.territory(), spec.levels());
        long tw = System.nanoTime();
        Map<String, Path> files = new ExtractWriter(catalogue, policy).write(spec, plan);
        long outputMillis = (System.nanoTime() - tw) / 1_000_000;
        Map<CellStatus, Long> counts = new EnumMap<>(CellStatus.class);
        for (CellStatus s : CellStatus.values()) {
            counts.put(s, plan.delivered().stream().filter(c -> c.status() == s).count());
        }
        boolean passed = plan.outcome().auditPassed();
        return new ExtractResult(passed, passed, plan.delivered(), counts, files, plan.snapshotDate(),
                policy.version(), catalogue.version(), plan.outcome(),
                new ExtractResult.Timings(plan.aggregationMillis(), plan.disclosureMillis(),
                        plan.outcome().auditMillis(), outputMillis, (System.nanoTime() - t0) / 1_000_000));
    }

    public Plan plan(Path snapshotFile, List<String> indicatorCodes, String territoryCode, Set<Level> levels)
            throws SQLException {
        Prepared p = prepare(snapshotFile, indicatorCodes, territoryCode, levels);
        long t0 = System.nanoTime();
        DisclosureControl.Outcome outcome = DisclosureControl.protect(p.table(), policy);
        long disclosureMillis = p.tableMillis() + (System.nanoTime() - t0) / 1_000_000;
        List<Cell> delivered = p.delivered();
        return new Plan(p.requested(), p.territory(), Set.copyOf(levels), p.table(), delivered, outcome,
                p.aggregation().snapshotDate(), p.aggregation().millis(), disclosureMillis);
    }

    /**
     * An extract before disclosure control: the aggregates, the whole table with its relations, and the selection of
     * the cells to deliver (whose statuses disclosure control sets afterwards, in place).
     */
    record Prepared(List<IndicatorCatalogue.Indicator> requested, Territory territory, DisclosureTable table,
                    SnapshotAggregator.Aggregation aggregation, long tableMillis, Supplier<List<Cell>> selection) {
        /** The requested cells, in output order. */
        List<Cell> delivered() {
            return selection.get();
        }
    }

    /** Everything of {@link #plan} before disclosure control: aggregation and the table (used by the benchmark). */
    Prepared prepare(Path snapshotFile, List<String> indicatorCodes, String territoryCode, Set<Level> levels)
            throws SQLException {
        Path snapshot = SnapshotFiles.existingSnapshot(snapshotFile);
        List<IndicatorCatalogue.Indicator> requested = resolveIndicators(indicatorCodes);
        Territory territory = resolveTerritory(territoryCode);
        for (Level l : levels) {
            if (!geography.hasLevel(l)) {
                throw new IllegalArgumentException("level " + l.code() + " is not available in geography "
                        + geography.name());
            }
        }
        Level top = levels.stream().max(Comparator.naturalOrder()).orElseThrow();
        Territory root = top.ordinal() > territory.level().ordinal()
                ? geography.ancestorAt(territory, top).orElseThrow(() -> new IllegalArgumentException(
                "territory " + territory.code() + " has no enclosing " + top.code()))
                : territory;
        List<Territory> scopeCommunes = root.level() == Level.IRIS
                ? List.of(geography.find(Level.COMMUNE, root.parent()).orElseThrow())
                : geography.descendantsAt(root, Level.COMMUNE);

        SnapshotAggregator.Aggregation agg = SnapshotAggregator.aggregate(snapshot, geography, scopeCommunes,
                levels, catalogue.lowIncomeThresholdEurosPerUc());

        long t0 = System.nanoTime();
        TableBuilder tb = new TableBuilder(agg);
        for (Level l : levels.stream().sorted().toList()) {
            for (Territory t : territoriesAt(root, l)) {
                tb.cellsFor(l, t);
            }
        }
        tb.relations(root, levels);
        long tableMillis = (System.nanoTime() - t0) / 1_000_000;
        return new Prepared(requested, territory, tb.table, agg, tableMillis,
                () -> select(tb.table, requested, territory, levels));
    }

    private List<Cell> select(DisclosureTable table, List<IndicatorCatalogue.Indicator> requested, Territory territory,
                              Set<Level> levels) {
        Set<String> wantedIndicators = new HashSet<>();
        requested.forEach(i -> wantedIndicators.add(i.code()));
        Set<String> wantedTerritories = new HashSet<>();
        for (Level l : levels) {
            if (l.ordinal() >= territory.level().ordinal()) {
                geography.ancestorAt(territory, l).ifPresent(a -> wantedTerritories.add(l.code() + ":" + a.code()));
            } else {
                for (Territory d : geography.descendantsAt(territory, l)) {
                    wantedTerritories.add(l.code() + ":" + d.code());
                }
            }
        }
        List<Cell> delivered = new ArrayList<>();
        for (Cell c : table.cells()) {
            if (wantedIndicators.contains(c.indicator()) && wantedTerritories.contains(c.level() + ":" + c.territory())) {
                delivered.add(c);
            }
        }
        delivered.sort(outputOrder(requested));
        return List.copyOf(delivered);
    }

    /** Catalogue codes (case-insensitive) or {@code socle}; anything else is refused. */
    public List<IndicatorCatalogue.Indicator> resolveIndicators(List<String> codes) {
        if (codes.isEmpty() || (codes.size() == 1 && "socle".equalsIgnoreCase(codes.get(0).trim()))) {
            return catalogue.socle();
        }
        Set<IndicatorCatalogue.Indicator> out = new LinkedHashSet<>();
        for (String c : codes) {
            out.add(catalogue.find(c).orElseThrow(() -> new IllegalArgumentException(
                    "unknown indicator code: " + printable(c))));
        }
        return List.copyOf(out);
    }

    public Territory resolveTerritory(String code) {
        return geography.find(code == null ? null : code.trim()).orElseThrow(() -> new IllegalArgumentException(
                "unknown territory code: " + printable(code)));
    }

    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.replaceAll("[^\\p{L}\\p{N}_ -]", "?");
    }

    private List<Territory> territoriesAt(Territory root, Level l) {
        if (l == Level.IRIS && root.level() == Level.IRIS) {
            return List.of(root);
        }
        List<Territory> ts = new ArrayList<>(geography.descendantsAt(root, l));
        ts.sort(Comparator.comparing(Territory::code));
        return ts;
    }

    private Comparator<Cell> outputOrder(List<IndicatorCatalogue.Indicator> requested) {
        Map<String, Integer> indicatorRank = new HashMap<>();
        for (int i = 0; i < requested.size(); i++) {
            indicatorRank.put(requested.get(i).code(), i);
        }
        return Comparator.<Cell>comparingInt(c -> indicatorRank.get(c.indicator()))
                .thenComparing(c -> -Level.parse(c.level()).ordinal())
                .thenComparing(Cell::territory)
                .thenComparingInt(Cell::id);
    }

    /** Turns aggregates into cells, and declares every additive relation between them. */
    private final class TableBuilder {
        final DisclosureTable table = new DisclosureTable();
        final SnapshotAggregator.Aggregation agg;
        final Map<String, Integer> index = new HashMap<>();

        TableBuilder(SnapshotAggregator.Aggregation agg) {
            this.agg = agg;
        }

        private static String k(String indicator, String category, Level l, String territory) {
            return indicator + "|" + category + "|" + l.code() + "|" + territory;
        }

        private Cell add(IndicatorCatalogue.Indicator ind, String category, Level l, Territory t, double value,
                         long population, long numerator, double max, long allocataires) {
            CellKind kind = CellKind.parse(ind.kind());
            double v = switch (kind) {
                case COUNT -> Math.round(value);
                case AMOUNT -> Math.round(value * 100) / 100.0;
                case RATE, SHARE -> Double.isNaN(value) ? value : Math.round(value * 10) / 10.0;
                case QUANTILE -> Double.isNaN(value) ? value : Math.round(value);
            };
            Cell c = table.add(new Cell(table.nextId(), ind.code(), category, l.code(), t.code(), t.label(), kind, v,
                    l.infraCommunal(), allocataires, population, numerator, max));
            index.put(k(ind.code(), category, l, t.code()), c.id());
            return c;
        }

        void cellsFor(Level l, Territory t) {
            SnapshotAggregator.Row r = agg.row(l, t.code());
            if (r == null) {
                r = new SnapshotAggregator.Row(Map.of(), new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            }
            long n = (long) r.get("n");
            for (IndicatorCatalogue.Indicator ind : catalogue.indicators()) {
                String E = Cell.ENSEMBLE;
                switch (ind.code()) {
                    case "ALLOC" -> add(ind, E, l, t, n, n, -1, 0, n);
                    case "POP_COUV" -> add(ind, E, l, t, r.get("pers"), (long) r.get("pers"), -1, 0, n);
                    case "TX_COUV" -> {
                        double rate = t.population() > 0 ? 100 * r.get("pers") / t.population() : Double.NaN;
                        Cell c = add(ind, E, l, t, rate, n, -1, 0, n);
                        Integer pop = index.get(k("POP_COUV", E, l, t.code()));
                        if (pop != null) {
                            c.dependOn(pop); // rate × public INSEE population = covered population
                        }
                    }
                    case "BEN_PSCR" -> add(ind, E, l, t, r.get("pscr"), (long) r.get("pscr"), -1, 0, n);
                    case "STRUCT_FAM" -> {
                        add(ind, E, l, t, n, n, -1, 0, n);
                        for (String cat : catalogue.categories(ind.breakdown())) {
                            double v = r.get("sf_" + cat);
                            add(ind, cat, l, t, v, (long) v, -1, 0, n);
                        }
                    }
                    case "PART_FAM_NOMB" -> {
                        long den = (long) r.get("fam1");
                        long num = (long) r.get("fam3");
                        add(ind, E, l, t, den > 0 ? 100.0 * num / den : Double.NaN, den, num, 0, n);
                    }
                    case "ENF_AGE" -> {
                        add(ind, E, l, t, r.get("enf"), (long) r.get("enf"), -1, 0, n);
                        for (String cat : catalogue.categories(ind.breakdown())) {
                            double v = r.get("enf_" + cat.replace('-', '_'));
                            add(ind, cat, l, t, v, (long) v, -1, 0, n);
                        }
                    }
                    case "AL" -> {
                        add(ind, E, l, t, r.get("al_n"), (long) r.get("al_n"), -1, 0, n);
                        for (String cat : catalogue.categories(ind.breakdown())) {
                            double v = r.get("al_n_" + cat);
                            add(ind, cat, l, t, v, (long) v, -1, 0, n);
                        }
                    }
                    case "AL_MONTANT" -> {
                        add(ind, E, l, t, r.get("p_m_AL"), (long) r.get("p_n_AL"), -1, r.get("p_x_AL"), n);
                        for (String cat : catalogue.categories(ind.breakdown())) {
                            add(ind, cat, l, t, r.get("al_m_" + cat), (long) r.get("al_n_" + cat), -1,
                                    r.get("al_x_" + cat), n);
                        }
                    }
                    case "AF" -> add(ind, E, l, t, r.get("p_n_AF"), (long) r.get("p_n_AF"), -1, 0, n);
                    case "AF_MONTANT" -> add(ind, E, l, t, r.get("p_m_AF"), (long) r.get("p_n_AF"), -1, r.get("p_x_AF"), n);
                    case "MINIMA" -> {
                        add(ind, E, l, t, r.get("min_n"), (long) r.get("min_n"), -1, 0, n);
                        add(ind, "RSA", l, t, r.get("rsa_n"), (long) r.get("rsa_n"), -1, 0, n);
                        add(ind, "AAH", l, t, r.get("aah_n"), (long) r.get("aah_n"), -1, 0, n);
                    }
                    case "PRESTA_MONTANT" -> {
                        add(ind, E, l, t, r.get("p_m"), (long) r.get("p_n"), -1, r.get("p_x"), n);
                        for (String cat : catalogue.categories(ind.breakdown())) {
                            add(ind, cat, l, t, r.get("p_m_" + cat), (long) r.get("p_n_" + cat), -1,
                                    r.get("p_x_" + cat), n);
                        }
                    }
                    case "TX_DEP" -> add(ind, E, l, t, n > 0 ? 100.0 * r.get("dep") / n : Double.NaN, n,
                            (long) r.get("dep"), 0, n);
                    case "BAS_REV" -> add(ind, E, l, t, n > 0 ? 100.0 * r.get("basrev") / n : Double.NaN, n,
                            (long) r.get("basrev"), 0, n);
                    case "REV_UC_DECILE" -> {
                        List<String> cats = catalogue.categories(ind.breakdown());
                        for (int d = 0; d < cats.size(); d++) {
                            add(ind, cats.get(d), l, t, r.deciles()[d], n, -1, 0, n);
                        }
                    }
                    default -> throw new IllegalStateException("no computation for indicator " + ind.code());
                }
            }
        }

        /** categories → ensemble; IRIS → commune → EPCI → département; cross-indicator identities. */
        void relations(Territory root, Set<Level> levels) {
            List<String[]> additive = new ArrayList<>();
            for (IndicatorCatalogue.Indicator ind : catalogue.indicators()) {
                if (!ind.additive()) {
                    continue;
                }
                List<String> cats = new ArrayList<>();
                cats.add(Cell.ENSEMBLE);
                if (ind.breakdown() != null) {
                    cats.addAll(catalogue.categories(ind.breakdown()));
                }
                for (String cat : cats) {
                    additive.add(new String[] {ind.code(), cat});
                }
                if (ind.breakdown() == null) {
                    continue;
                }
                for (Level l : levels) {
                    for (Territory t : territoriesAt(root, l)) {
                        Integer total = index.get(k(ind.code(), Cell.ENSEMBLE, l, t.code()));
                        int[] parts = catalogue.categories(ind.breakdown()).stream()
                                .mapToInt(cat -> index.get(k(ind.code(), cat, l, t.code()))).toArray();
                        table.relate(total, parts);
                    }
                }
            }
            for (Level child : levels) {
                Level parentLevel = child.parent();
                if (parentLevel == null || !levels.contains(parentLevel)) {
                    continue;
                }
                for (Territory parent : territoriesAt(root, parentLevel)) {
                    List<Territory> kids = geography.children(parent);
                    if (kids.isEmpty()) {
                        continue; // an unsplit commune has no IRIS cells
                    }
                    for (String[] ic : additive) {
                        Integer total = index.get(k(ic[0], ic[1], parentLevel, parent.code()));
                        int[] parts = kids.stream().mapToInt(kid -> index.get(k(ic[0], ic[1], child, kid.code())))
                                .toArray();
                        table.relate(total, parts);
                    }
                }
            }
            // the same figure under two indicators must be protected as one
            for (Level l : levels) {
                for (Territory t : territoriesAt(root, l)) {
                    identity(k("ALLOC", Cell.ENSEMBLE, l, t.code()), k("STRUCT_FAM", Cell.ENSEMBLE, l, t.code()));
                    identity(k("AF_MONTANT", Cell.ENSEMBLE, l, t.code()), k("PRESTA_MONTANT", "AF", l, t.code()));
                    identity(k("AL_MONTANT", Cell.ENSEMBLE, l, t.code()), k("PRESTA_MONTANT", "AL", l, t.code()));
                }
            }
        }

        private void identity(String a, String b) {
            Integer x = index.get(a);
            Integer y = index.get(b);
            if (x != null && y != null) {
                table.relate(x, y);
            }
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
