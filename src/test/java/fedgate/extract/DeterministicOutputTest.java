package fedgate.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeterministicOutputTest {

    @TempDir
    Path tmp;

    @Test
    void sameSeedSameSnapshotSameExtractByteForByte() throws Exception {
        Geography geo = Geography.metropoleRouen();
        Path s1 = SnapshotGenerator.generate(geo, 5000, 2024, 3, tmp.resolve("a.csv")).file();
        Path s2 = SnapshotGenerator.generate(geo, 5000, 2024, 3, tmp.resolve("b.csv")).file();
        Path s3 = SnapshotGenerator.generate(geo, 5000, 2024, 4, tmp.resolve("c.csv")).file();
        assertThat(Files.readString(s1)).isEqualTo(Files.readString(s2));
        assertThat(Files.readString(s1)).isNotEqualTo(Files.readString(s3));

        ExtractEngine engine = ExtractEngine.metropoleRouen();
        EnumSet<Level> levels = EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI);
        for (String d : List.of("x", "y")) {
            engine.run(new ExtractSpec(SampleSnapshot.get(), List.of("socle"), "200023414", levels, Optional.empty(),
                    tmp.resolve(d)));
        }
        for (String f : List.of("extract.csv", "extract.json", "disclosure-report.json", "disclosure-report.md")) {
            assertThat(Files.readAllBytes(tmp.resolve("x").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("y").resolve(f)));
        }
    }
}
