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
import java.util.Arrays;
import java.util.Collections;
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
            counts.put(s, 0L);
        }
        for (Cell c : plan.delivered()) {
            counts.merge(c.status(), 1L, Long::sum);
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
        TableBuilder tb = new TableBuilder(agg, root, levels);
        tb.relations();
        long tableMillis = (System.nanoTime() - t0) / 1_000_000;
        return new Prepared(requested, territory, tb.table, agg, tableMillis, () -> tb.select(requested, territory));
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

    /**
     * Turns aggregates into cells, and declares every additive relation between them.
     *
     * <p>Cells are laid out by level (finest first), territory (by code) and slot: every territory has the same cells
     * in the same order (one slot per indicator and category, in catalogue order), so the id of a cell is
     * {@code levelBase + territoryPosition × slotsPerTerritory + slot}, computed rather than looked up.
     */
    private final class TableBuilder {
        final DisclosureTable table = new DisclosureTable();
        final SnapshotAggregator.Aggregation agg;
        final Set<Level> levels;
        final List<IndicatorCatalogue.Indicator> indicators = catalogue.indicators();
        final Map<String, CellKind> kinds = new HashMap<>();
        final Map<String, List<String>> categories = new HashMap<>();
        /** Territories of each level of the table, sorted by code; each code's position there. */
        final Map<Level, List<Territory>> territories = new EnumMap<>(Level.class);
        final Map<Level, Map<String, Integer>> positions = new EnumMap<>(Level.class);
        /** Id of the first cell of each level (by ordinal). */
        final int[] levelBase = new int[Level.values().length];
        /** {@code indicator|category} → slot, and the indicator of each slot, recorded on the first territory. */
        final Map<String, Integer> slotOf = new HashMap<>();
        final List<String> slotIndicator = new ArrayList<>();
        int slotsPerTerritory = -1;
        /** Aggregate positions of the per-category aggregates, by name prefix. */
        final Map<String, int[]> byCategory = new HashMap<>();
        int territoryBase;
        int slot;
        String levelCode;
        int popCouvSlot = -1;

        TableBuilder(SnapshotAggregator.Aggregation agg, Territory root, Set<Level> levels) {
            this.agg = agg;
            this.levels = levels;
            for (IndicatorCatalogue.Indicator ind : indicators) {
                kinds.put(ind.code(), CellKind.parse(ind.kind()));
                categories.put(ind.code(), ind.breakdown() == null ? List.of() : catalogue.categories(ind.breakdown()));
            }
            for (Level l : levels.stream().sorted().toList()) {
                List<Territory> ts = territoriesAt(root, l);
                Map<String, Integer> pos = new HashMap<>(ts.size() * 2);
                for (int i = 0; i < ts.size(); i++) {
                    pos.put(ts.get(i).code(), i);
                }
                territories.put(l, ts);
                positions.put(l, pos);
                levelBase[l.ordinal()] = table.nextId();
                levelCode = l.code();
                for (Territory t : ts) {
                    cellsFor(l, t);
                }
            }
        }

        int id(Level l, int territoryPosition, int slot) {
            return levelBase[l.ordinal()] + territoryPosition * slotsPerTerritory + slot;
        }

        /** Slot of a cell, or -1 if the table has none. */
        int slot(String indicator, String category) {
            Integer s = slotOf.get(indicator + "|" + category);
            return s == null ? -1 : s;
        }

        int requiredSlot(String indicator, String category) {
            int s = slot(indicator, category);
            if (s < 0) {
                throw new IllegalStateException("no cell " + indicator + "|" + category);
            }
            return s;
        }

        /** Positions in {@link SnapshotAggregator.Row#values()} of {@code prefix + category} (-1: none, i.e. 0). */
        int[] aggregates(String prefix, List<String> cats, boolean dashes) {
            return byCategory.computeIfAbsent(prefix + "|" + dashes, k -> cats.stream().mapToInt(cat -> {
                String name = prefix + (dashes ? cat.replace('-', '_') : cat);
                return SnapshotAggregator.AGGREGATES.containsKey(name) ? SnapshotAggregator.index(name) : -1;
            }).toArray());
        }

        private static double at(SnapshotAggregator.Row r, int index) {
            return index < 0 ? 0 : r.get(index);
        }

        private Cell add(IndicatorCatalogue.Indicator ind, String category, Level l, Territory t, double value,
                         long population, long numerator, double max, long allocataires) {
            CellKind kind = kinds.get(ind.code());
            double v = switch (kind) {
                case COUNT -> Math.round(value);
                case AMOUNT -> Math.round(value * 100) / 100.0;
                case RATE, SHARE -> Double.isNaN(value) ? value : Math.round(value * 10) / 10.0;
                case QUANTILE -> Double.isNaN(value) ? value : Math.round(value);
            };
            Cell c = table.add(new Cell(table.nextId(), ind.code(), category, levelCode, t.code(), t.label(), kind, v,
                    l.infraCommunal(), allocataires, population, numerator, max));
            if (slotsPerTerritory < 0) {
                slotOf.put(ind.code() + "|" + category, slot);
                slotIndicator.add(ind.code());
            }
            slot++;
            return c;
        }

        void cellsFor(Level l, Territory t) {
            territoryBase = table.nextId();
            slot = 0;
            SnapshotAggregator.Row r = agg.row(l, t.code());
            if (r == null) {
                r = new SnapshotAggregator.Row(new double[SnapshotAggregator.AGGREGATES.size()],
                        SnapshotAggregator.nanDeciles());
            }
            long n = (long) r.get("n");
            for (IndicatorCatalogue.Indicator ind : indicators) {
                String E = Cell.ENSEMBLE;
                List<String> cats = categories.get(ind.code());
                switch (ind.code()) {
                    case "ALLOC" -> add(ind, E, l, t, n, n, -1, 0, n);
                    case "POP_COUV" -> {
                        add(ind, E, l, t, r.get("pers"), (long) r.get("pers"), -1, 0, n);
                        if (slotsPerTerritory < 0) {
                            popCouvSlot = slot - 1;
                        }
                    }
                    case "TX_COUV" -> {
                        double rate = t.population() > 0 ? 100 * r.get("pers") / t.population() : Double.NaN;
                        Cell c = add(ind, E, l, t, rate, n, -1, 0, n);
                        if (popCouvSlot >= 0 && popCouvSlot < slot - 1) {
                            c.dependOn(territoryBase + popCouvSlot); // rate × public INSEE population = covered population
                        }
                    }
                    case "BEN_PSCR" -> add(ind, E, l, t, r.get("pscr"), (long) r.get("pscr"), -1, 0, n);
                    case "STRUCT_FAM" -> {
                        add(ind, E, l, t, n, n, -1, 0, n);
                        int[] sf = aggregates("sf_", cats, false);
                        for (int k = 0; k < cats.size(); k++) {
                            double v = at(r, sf[k]);
                            add(ind, cats.get(k), l, t, v, (long) v, -1, 0, n);
                        }
                    }
                    case "PART_FAM_NOMB" -> {
                        long den = (long) r.get("fam1");
                        long num = (long) r.get("fam3");
                        add(ind, E, l, t, den > 0 ? 100.0 * num / den : Double.NaN, den, num, 0, n);
                    }
                    case "ENF_AGE" -> {
                        add(ind, E, l, t, r.get("enf"), (long) r.get("enf"), -1, 0, n);
                        int[] enf = aggregates("enf_", cats, true);
                        for (int k = 0; k < cats.size(); k++) {
                            double v = at(r, enf[k]);
                            add(ind, cats.get(k), l, t, v, (long) v, -1, 0, n);
                        }
                    }
                    case "AL" -> {
                        add(ind, E, l, t, r.get("al_n"), (long) r.get("al_n"), -1, 0, n);
                        int[] aln = aggregates("al_n_", cats, false);
                        for (int k = 0; k < cats.size(); k++) {
                            double v = at(r, aln[k]);
                            add(ind, cats.get(k), l, t, v, (long) v, -1, 0, n);
                        }
                    }
                    case "AL_MONTANT" -> {
                        add(ind, E, l, t, r.get("p_m_AL"), (long) r.get("p_n_AL"), -1, r.get("p_x_AL"), n);
                        int[] m = aggregates("al_m_", cats, false);
                        int[] c = aggregates("al_n_", cats, false);
                        int[] x = aggregates("al_x_", cats, false);
                        for (int k = 0; k < cats.size(); k++) {
                            add(ind, cats.get(k), l, t, at(r, m[k]), (long) at(r, c[k]), -1, at(r, x[k]), n);
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
                        int[] m = aggregates("p_m_", cats, false);
                        int[] c = aggregates("p_n_", cats, false);
                        int[] x = aggregates("p_x_", cats, false);
                        for (int k = 0; k < cats.size(); k++) {
                            add(ind, cats.get(k), l, t, at(r, m[k]), (long) at(r, c[k]), -1, at(r, x[k]), n);
                        }
                    }
                    case "TX_DEP" -> add(ind, E, l, t, n > 0 ? 100.0 * r.get("dep") / n : Double.NaN, n,
                            (long) r.get("dep"), 0, n);
                    case "BAS_REV" -> add(ind, E, l, t, n > 0 ? 100.0 * r.get("basrev") / n : Double.NaN, n,
                            (long) r.get("basrev"), 0, n);
                    case "REV_UC_DECILE" -> {
                        for (int d = 0; d < cats.size(); d++) {
                            add(ind, cats.get(d), l, t, r.deciles()[d], n, -1, 0, n);
                        }
                    }
                    default -> throw new IllegalStateException("no computation for indicator " + ind.code());
                }
            }
            if (slotsPerTerritory < 0) {
                slotsPerTerritory = slot;
            } else if (slot != slotsPerTerritory) {
                throw new IllegalStateException("territory " + t.code() + " has " + slot + " cells, not "
                        + slotsPerTerritory);
            }
        }

        /** categories → ensemble; IRIS → commune → EPCI → département; cross-indicator identities. */
        void relations() {
            if (slotsPerTerritory < 0) {
                return; // no territory, no cell
            }
            List<Integer> additive = new ArrayList<>();
            for (IndicatorCatalogue.Indicator ind : indicators) {
                if (!ind.additive()) {
                    continue;
                }
                List<String> cats = categories.get(ind.code());
                additive.add(requiredSlot(ind.code(), Cell.ENSEMBLE));
                for (String cat : cats) {
                    additive.add(requiredSlot(ind.code(), cat));
                }
                if (ind.breakdown() == null) {
                    continue;
                }
                int total = requiredSlot(ind.code(), Cell.ENSEMBLE);
                int[] partSlots = cats.stream().mapToInt(cat -> requiredSlot(ind.code(), cat)).toArray();
                for (Level l : levels) {
                    int n = territories.get(l).size();
                    for (int p = 0; p < n; p++) {
                        int base = id(l, p, 0);
                        int[] parts = new int[partSlots.length];
                        for (int k = 0; k < parts.length; k++) {
                            parts[k] = base + partSlots[k];
                        }
                        table.relate(base + total, parts);
                    }
                }
            }
            for (Level child : levels) {
                Level parentLevel = child.parent();
                if (parentLevel == null || !levels.contains(parentLevel)) {
                    continue;
                }
                List<Territory> parents = territories.get(parentLevel);
                Map<String, Integer> childPositions = positions.get(child);
                for (int pp = 0; pp < parents.size(); pp++) {
                    List<Territory> kids = geography.children(parents.get(pp));
                    if (kids.isEmpty()) {
                        continue; // an unsplit commune has no IRIS cells
                    }
                    int[] kidBase = new int[kids.size()];
                    for (int k = 0; k < kidBase.length; k++) {
                        Integer pos = childPositions.get(kids.get(k).code());
                        if (pos == null) {
                            throw new IllegalStateException("no cells for " + kids.get(k).code());
                        }
                        kidBase[k] = id(child, pos, 0);
                    }
                    int parentBase = id(parentLevel, pp, 0);
                    for (int a : additive) {
                        int[] parts = new int[kidBase.length];
                        for (int k = 0; k < parts.length; k++) {
                            parts[k] = kidBase[k] + a;
                        }
                        table.relate(parentBase + a, parts);
                    }
                }
            }
            // the same figure under two indicators must be protected as one
            int[][] identities = {
                    {slot("ALLOC", Cell.ENSEMBLE), slot("STRUCT_FAM", Cell.ENSEMBLE)},
                    {slot("AF_MONTANT", Cell.ENSEMBLE), slot("PRESTA_MONTANT", "AF")},
                    {slot("AL_MONTANT", Cell.ENSEMBLE), slot("PRESTA_MONTANT", "AL")}};
            for (Level l : levels) {
                int n = territories.get(l).size();
                for (int p = 0; p < n; p++) {
                    int base = id(l, p, 0);
                    for (int[] pair : identities) {
                        if (pair[0] >= 0 && pair[1] >= 0) {
                            table.relate(base + pair[0], base + pair[1]);
                        }
                    }
                }
            }
        }

        /**
         * The requested cells in output order: requested indicator, level from the coarsest, territory code, then
         * cell id — walked in that order through the layout, without sorting.
         */
        List<Cell> select(List<IndicatorCatalogue.Indicator> requested, Territory territory) {
            if (slotsPerTerritory < 0) {
                return List.of();
            }
            Map<Level, Set<String>> wanted = new EnumMap<>(Level.class);
            for (Level l : levels) {
                Set<String> codes = new HashSet<>();
                if (l.ordinal() >= territory.level().ordinal()) {
                    geography.ancestorAt(territory, l).ifPresent(a -> codes.add(a.code()));
                } else {
                    for (Territory d : geography.descendantsAt(territory, l)) {
                        codes.add(d.code());
                    }
                }
                wanted.put(l, codes);
            }
            List<Level> coarsestFirst = new ArrayList<>(territories.keySet());
            coarsestFirst.sort(Comparator.reverseOrder());
            // ids of the first cell of each wanted territory, in output order (level from the coarsest, code)
            int[] bases = new int[0];
            int wantedTerritories = 0;
            for (Level l : coarsestFirst) {
                List<Territory> ts = territories.get(l);
                Set<String> codes = wanted.get(l);
                for (int p = 0; p < ts.size(); p++) {
                    if (codes.contains(ts.get(p).code())) {
                        if (wantedTerritories == bases.length) {
                            bases = Arrays.copyOf(bases, Math.max(16, 2 * bases.length));
                        }
                        bases[wantedTerritories++] = id(l, p, 0);
                    }
                }
            }
            List<Cell> cells = table.cells();
            List<Cell> out = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8,
                    (long) wantedTerritories * slotsPerTerritory));
            for (IndicatorCatalogue.Indicator ind : requested) {
                int[] slots = new int[slotIndicator.size()];
                int count = 0;
                for (int s = 0; s < slotIndicator.size(); s++) {
                    if (slotIndicator.get(s).equals(ind.code())) {
                        slots[count++] = s;
                    }
                }
                for (int w = 0; w < wantedTerritories; w++) {
                    for (int k = 0; k < count; k++) {
                        out.add(cells.get(bases[w] + slots[k]));
                    }
                }
            }
            return Collections.unmodifiableList(out);
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
