package fedgate.extract;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Benchmark (not a test): {@code java -cp target/classes:target/test-classes:<deps> fedgate.extract.ExtractBenchmark
 * <households> <workdir> [metropole|national] [runs]}. Generates the snapshot if absent (seed 1), then per run: the
 * raw DuckDB aggregation (the engine's own three statements — finest-level aggregates, roll-up, deciles — on the
 * same data, results read and dropped, nothing around them) and the full socle extract, in the
 * same JVM; prints times, ratio, cells, suppressed cells, audit and peak heap.
 * <ul>
 *   <li>{@code metropole}: Métropole Rouen Normandie (EPCI 200023414) at IRIS, commune and EPCI level;</li>
 *   <li>{@code national}: synthetic France (seed 1, root {@code FR}) at commune, EPCI, département and national
 *   level (no IRIS).</li>
 * </ul>
 * With {@code -Dbench.skip-audit=true} each run times the engine's own stages without disclosure control's secondary
 * suppression and LP audit: aggregation, table (cells and relations), primary rules (and the dependencies they
 * propagate), selection of the delivered cells in output order, and the writing of {@code extract.csv} and
 * {@code extract.json} (as if the audit had passed); the greedy secondary suppression is then timed on its own, for
 * information.
 */
public final class ExtractBenchmark {

    public static void main(String[] args) throws Exception {
        long households = args.length > 0 ? Long.parseLong(args[0]) : 250_000;
        Path dir = Path.of(args.length > 1 ? args[1] : "target/bench");
        boolean national = args.length > 2 && args[2].equals("national");
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Files.createDirectories(dir);
        Geography geo = national ? Geography.syntheticNational(1) : Geography.metropoleRouen();
        Path snap = dir.resolve((national ? "national-" : "metropole-") + households + ".parquet");
        if (!Files.exists(snap)) {
            SnapshotGenerator.Result g = SnapshotGenerator.generate(geo, households, 2024, 1, snap);
            System.out.printf("generate: %d households in %d ms%n", households, g.millis());
        }
        ExtractEngine engine = new ExtractEngine(geo, IndicatorCatalogue.load(),
                fedgate.disclosure.DisclosurePolicy.load());
        EnumSet<Level> levels = national
                ? EnumSet.of(Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.NATIONAL)
                : EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI);
        Territory root = geo.find(national ? Geography.FRANCE : Geography.METROPOLE_ROUEN_EPCI).orElseThrow();
        System.out.printf("geography %s: %d territories, %d communes in scope%n", geo.name(), geo.size(),
                geo.descendantsAt(root, Level.COMMUNE).size());
        boolean skipAudit = Boolean.getBoolean("bench.skip-audit");
        for (int run = 1; run <= runs; run++) {
            if (skipAudit) {
                withoutAudit(run, engine, snap, geo, root, levels, dir);
                continue;
            }
            long raw = SnapshotAggregator.rawAggregationMillis(snap, geo, geo.descendantsAt(root, Level.COMMUNE),
                    levels, engine.catalogue().lowIncomeThresholdEurosPerUc());
            System.out.printf("run %d: raw aggregation %d ms%n", run, raw);
            Path out = dir.resolve("out-" + System.nanoTime());
            long t0 = System.nanoTime();
            ExtractResult r = engine.run(new ExtractSpec(snap, List.of("socle"), root.code(), levels, Optional.empty(), out));
            long total = (System.nanoTime() - t0) / 1_000_000;
            long outsideAudit = total - r.timings().audit();
            var a = r.disclosure().audit();
            System.out.printf("run %d: total %d ms (aggregation %d, disclosure %d of which audit %d in %d rounds, output %d);"
                            + " raw aggregation %d ms; engine/raw outside audit %.2f; cells %d (table %d), suppressed %d %s;"
                            + " audit components %d, largest %d, capped %d, LPs (last round) %d, passed %s; peak heap %d MB%n",
                    run, total, r.timings().aggregation(), r.timings().disclosure(), r.timings().audit(),
                    r.disclosure().rounds(), r.timings().output(), raw, (double) outsideAudit / raw, r.cells().size(),
                    r.disclosure().counts().values().stream().mapToLong(Long::longValue).sum(), r.suppressed(),
                    r.counts(), a.components(), a.largestComponent(), a.cappedComponents(), a.lpSolved(),
                    r.auditPassed(), peakHeapMb());
        }
    }

    private static void withoutAudit(int run, ExtractEngine engine, Path snap, Geography geo, Territory root,
                                     EnumSet<Level> levels, Path dir) throws Exception {
        String load0 = loadAverage();
        long c0 = cpuMillis();
        long raw = SnapshotAggregator.rawAggregationMillis(snap, geo, geo.descendantsAt(root, Level.COMMUNE),
                levels, engine.catalogue().lowIncomeThresholdEurosPerUc());
        long rawCpu = cpuMillis() - c0;
        System.out.printf("run %d: raw aggregation %d ms, CPU %d ms (load average before: %s)%n", run, raw, rawCpu,
                load0);
        long c1 = cpuMillis();
        long t0 = System.nanoTime();
        ExtractEngine.Prepared p = engine.prepare(snap, List.of("socle"), root.code(), levels);
        long t1 = System.nanoTime();
        long c2 = cpuMillis();
        fedgate.disclosure.PrimaryRules.apply(p.table(), engine.policy());
        fedgate.disclosure.SecondarySuppression.propagateDependencies(p.table());
        long t2 = System.nanoTime();
        long c3 = cpuMillis();
        List<fedgate.disclosure.Cell> delivered = p.delivered();
        long t3 = System.nanoTime();
        long c4 = cpuMillis();
        Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
        ExtractSpec spec = new ExtractSpec(snap, List.of("socle"), root.code(), levels, Optional.empty(), out);
        ExtractEngine.Plan plan = new ExtractEngine.Plan(p.requested(), p.territory(), Set.copyOf(levels), p.table(),
                delivered, null, p.aggregation().snapshotDate(), p.aggregation().millis(), 0);
        ExtractWriter w = new ExtractWriter(engine.catalogue(), engine.policy());
        w.writeCsvAndJson(out.resolve(ExtractWriter.CSV), out.resolve(ExtractWriter.JSON), spec, plan);
        long t4 = System.nanoTime();
        long c5 = cpuMillis();
        long mineCpu = c5 - c1;
        long primarySuppressed = p.table().cells().stream().filter(fedgate.disclosure.Cell::suppressed).count();
        var relationsOf = fedgate.disclosure.LinearAudit.relationsByCell(p.table());
        fedgate.disclosure.SecondarySuppression.toFixedPoint(p.table(), engine.policy(), relationsOf);
        long t5 = System.nanoTime();
        long agg = p.aggregation().millis();
        long mine = (t4 - t0) / 1_000_000;
        System.out.printf("run %d: engine without disclosure control %d ms = aggregation %d (of which Java deciles"
                        + " sorting %d) + table %d (%d cells, %d relations) + other prepare %d + primary rules %d (%d"
                        + " suppressed) + selection %d (%d cells) + extract.csv/json %d; raw aggregation %d ms;"
                        + " engine/raw %.2f; CPU time (every thread, DuckDB's included): engine %d ms (prepare %d,"
                        + " primary %d, selection %d, csv/json %d), raw %d ms, engine/raw %.2f; [for information, not"
                        + " the engine's: relations by cell + greedy secondary %d ms]; load average after: %s;"
                        + " peak heap %d MB%n",
                run, mine, agg, p.aggregation().sortingMillis(), p.tableMillis(), p.table().cells().size(),
                p.table().relations().size(), (t1 - t0) / 1_000_000 - agg - p.tableMillis(), (t2 - t1) / 1_000_000,
                primarySuppressed, (t3 - t2) / 1_000_000, delivered.size(), (t4 - t3) / 1_000_000, raw,
                (double) mine / raw, mineCpu, c2 - c1, c3 - c2, c4 - c3, c5 - c4, rawCpu, (double) mineCpu / rawCpu,
                (t5 - t4) / 1_000_000, loadAverage(), peakHeapMb());
        try (var s = Files.walk(out)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** CPU time of the whole process (every thread, DuckDB's native ones included). */
    static long cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static long peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum / (1024 * 1024);
    }
}
