package fedgate.extract;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

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
        for (int run = 1; run <= runs; run++) {
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
