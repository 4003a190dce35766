package fedgate.extract;

import fedgate.disclosure.Cell;
import fedgate.disclosure.CellStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Draft of the "indicateurs disponibles" and "motif" parts of feuillet 2: for a validated request, which requested
 * indicators are available and publishable at the requested levels, and why not when they are not. Runs the same
 * disclosure control as the extract (nothing is written), so the draft and the delivery agree.
 */
public final class Feasibility {

    /** One requested indicator at one level; {@code motifs} are French, one per territory or cell family held back. */
    public record Line(String indicator, String label, Level level, boolean available, int cells,
                       int publishedCells, List<String> motifs) {
        public boolean publishable() {
            return available && publishedCells > 0;
        }
    }

    public record Draft(String territory, String territoryLabel, List<Line> lines, List<String> unknownIndicators) {
        /** Text for the "Indicateurs disponibles" field of feuillet 2. */
        public String indicateursDisponibles() {
            StringBuilder b = new StringBuilder();
            for (Line l : lines) {
                if (l.publishable()) {
                    b.append("- ").append(l.label()).append(" (").append(l.indicator()).append(") — ")
                            .append(l.level().frenchLabel()).append('\n');
                }
            }
            return b.toString();
        }

        /** Text for the "Motif" field: every restriction, or an empty string. */
        public String motif() {
            Set<String> all = new LinkedHashSet<>();
            unknownIndicators.forEach(u -> all.add("Indicateur inconnu du catalogue : " + u));
            lines.forEach(l -> all.addAll(l.motifs()));
            return String.join("\n", all);
        }
    }

    /** Plans kept: every request of one territory and indicator set shares one (the assess stage's common case). */
    static final int PLANS_KEPT = 32;

    private final ExtractEngine engine;
    private final Map<PlanKey, ExtractEngine.Plan> plans = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PlanKey, ExtractEngine.Plan> eldest) {
            return size() > PLANS_KEPT;
        }
    };
    private long planRuns;

    /**
     * What a plan depends on: the snapshot file (its size and modification time too, so a snapshot replaced in place
     * is read again), the indicators, the territory and the levels. The engine is deterministic: the same key gives
     * the same cells and the same suppression pattern.
     */
    private record PlanKey(Path snapshot, long size, long modified, List<String> indicators, String territory,
                           Set<Level> levels) {
    }

    public Feasibility(ExtractEngine engine) {
        this.engine = engine;
    }

    /** How many plans were computed (not taken from the cache): for tests and the operator. */
    public synchronized long planRuns() {
        return planRuns;
    }

    /**
     * The engine's plan, computed once per key: assessing a request would otherwise aggregate the snapshot and run the
     * disclosure control again for every request of the same scope (≈ 140 ms each on the Métropole snapshot).
     */
    private synchronized ExtractEngine.Plan plan(Path snapshot, List<String> known, String territory, Set<Level> levels)
            throws SQLException {
        PlanKey key;
        try {
            Path file = snapshot.toAbsolutePath().normalize();
            key = new PlanKey(file, Files.size(file), Files.getLastModifiedTime(file).toMillis(), List.copyOf(known),
                    territory, Set.copyOf(levels));
        } catch (IOException e) {
            // no identity for the file: compute (the engine reports a missing snapshot clearly)
            planRuns++;
            return engine.plan(snapshot, known, territory, levels);
        }
        ExtractEngine.Plan p = plans.get(key);
        if (p == null) {
            planRuns++;
            p = engine.plan(snapshot, known, territory, levels);
            plans.put(key, p);
        }
        return p;
    }

    public Draft assess(Path snapshot, List<String> indicatorCodes, String territoryCode, Set<Level> requestedLevels)
            throws SQLException {
        List<String> unknown = new ArrayList<>();
        List<String> known = new ArrayList<>();
        for (String c : indicatorCodes) {
            if ("socle".equalsIgnoreCase(c.trim()) || engine.catalogue().find(c).isPresent()) {
                known.add(c);
            } else {
                unknown.add(ExtractEngine.printable(c));
            }
        }
        Territory territory = engine.resolveTerritory(territoryCode);
        Set<Level> levels = new LinkedHashSet<>();
        List<Line> lines = new ArrayList<>();
        List<IndicatorCatalogue.Indicator> indicators = engine.resolveIndicators(known);
        for (Level l : requestedLevels) {
            if (engine.geography().hasLevel(l)) {
                levels.add(l);
            } else {
                for (IndicatorCatalogue.Indicator i : indicators) {
                    lines.add(new Line(i.code(), i.label(), l, false, 0, 0, List.of(
                            "Niveau " + l.frenchLabel() + " non disponible pour ce territoire")));
                }
            }
        }
        if (levels.isEmpty() || indicators.isEmpty()) {
            return new Draft(territory.code(), territory.label(), lines, unknown);
        }
        ExtractEngine.Plan plan = plan(snapshot, known, territory.code(), levels);
        for (IndicatorCatalogue.Indicator i : indicators) {
            for (Level l : levels.stream().sorted().toList()) {
                List<Cell> cells = plan.delivered().stream()
                        .filter(c -> c.indicator().equals(i.code()) && c.level().equals(l.code())).toList();
                Set<String> motifs = new LinkedHashSet<>();
                for (Cell c : cells) {
                    if (c.status() == CellStatus.TERRITORY) {
                        motifs.add(l.frenchLabel() + " " + c.territory() + " : moins de "
                                + engine.policy().territoryMinAllocataires() + " allocataires (Art. 2)");
                    }
                }
                long other = cells.stream().filter(c -> c.suppressed() && c.status() != CellStatus.TERRITORY).count();
                if (other > 0) {
                    motifs.add(i.label() + " (" + l.frenchLabel() + ") : " + other
                            + " case(s) masquée(s) au titre du secret statistique");
                }
                if (!plan.outcome().auditPassed()) {
                    motifs.add("Audit du secret statistique non satisfait : extraction non livrable en l'état");
                }
                int published = (int) cells.stream().filter(c -> !c.suppressed()).count();
                lines.add(new Line(i.code(), i.label(), l, true, cells.size(),
                        plan.outcome().auditPassed() ? published : 0, List.copyOf(motifs)));
            }
        }
        return new Draft(territory.code(), territory.label(), lines, unknown);
    }
}
