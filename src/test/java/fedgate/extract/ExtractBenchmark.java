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
 * <households> <workdir>}. Generates the snapshot if absent, runs the raw DuckDB aggregation and the full socle
 * extract (IRIS, commune, EPCI of the Métropole) in the same JVM, prints times, ratio, cells, audit and peak heap.
 */
public final class ExtractBenchmark {

    public static void main(String[] args) throws Exception {
        long households = args.length > 0 ? Long.parseLong(args[0]) : 250_000;
        Path dir = Path.of(args.length > 1 ? args[1] : "target/bench");
        Files.createDirectories(dir);
        Geography geo = Geography.metropoleRouen();
        Path snap = dir.resolve("metropole-" + households + ".parquet");
        if (!Files.exists(snap)) {
            SnapshotGenerator.Result g = SnapshotGenerator.generate(geo, households, 2024, 1, snap);
            System.out.printf("generate: %d households in %d ms%n", households, g.millis());
        }
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        EnumSet<Level> levels = EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI);
        Territory root = geo.find(Geography.METROPOLE_ROUEN_EPCI).orElseThrow();
        for (int run = 1; run <= 3; run++) {
            long raw = SnapshotAggregator.aggregate(snap, geo, geo.descendantsAt(root, Level.COMMUNE), levels,
                    engine.catalogue().lowIncomeThresholdEurosPerUc()).millis();
            Path out = dir.resolve("out-" + System.nanoTime());
            long t0 = System.nanoTime();
            ExtractResult r = engine.run(new ExtractSpec(snap, List.of("socle"), root.code(), levels, Optional.empty(), out));
            long total = (System.nanoTime() - t0) / 1_000_000;
            long outsideAudit = total - r.timings().audit();
            System.out.printf("run %d: total %d ms (aggregation %d, disclosure %d of which audit %d, output %d); raw aggregation %d ms;"
                            + " engine/raw outside audit %.2f; cells %d (table %d), suppressed %d %s; audit components %d,"
                            + " largest %d, LPs %d, passed %s; peak heap %d MB%n",
                    run, total, r.timings().aggregation(), r.timings().disclosure(), r.timings().audit(),
                    r.timings().output(), raw, (double) outsideAudit / raw, r.cells().size(),
                    r.disclosure().counts().values().stream().mapToLong(Long::longValue).sum(), r.suppressed(),
                    r.counts(), r.disclosure().audit().components(), r.disclosure().audit().largestComponent(),
                    r.disclosure().audit().lpSolved(), r.auditPassed(), peakHeapMb());
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
