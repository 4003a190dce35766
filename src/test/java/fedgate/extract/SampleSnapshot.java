package fedgate.extract;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generated snapshot shared by the extract tests: 100 000 households over the Métropole (seed 7) — about the real
 * number of allocataires of the Métropole (≈ 110 000 for 500 000 inhabitants), so the sample has realistic densities:
 * IRIS d'activité under 100 allocataires, small counts in small communes, a few dominated amounts.
 */
final class SampleSnapshot {

    static final long HOUSEHOLDS = 100_000;
    static final long SEED = 7;
    private static Path file;

    static synchronized Path get() throws Exception {
        if (file == null) {
            Path dir = Files.createTempDirectory("fedgate-sample");
            dir.toFile().deleteOnExit();
            file = SnapshotGenerator.generate(Geography.metropoleRouen(), HOUSEHOLDS, 2024, SEED,
                    dir.resolve("allocataires-2024.parquet")).file();
            file.toFile().deleteOnExit();
        }
        return file;
    }

    private SampleSnapshot() {
    }
}
