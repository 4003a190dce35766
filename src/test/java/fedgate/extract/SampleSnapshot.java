package fedgate.extract;

import java.nio.file.Files;
import java.nio.file.Path;

/** A small generated snapshot shared by the extract tests (20 000 households over the Métropole, seed 7). */
final class SampleSnapshot {

    static final long HOUSEHOLDS = 20_000;
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
