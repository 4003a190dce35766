package fedgate.extract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Nothing from input builds SQL: territory and indicator codes are checked against the geography and catalogue. */
class SqlInjectionTerritoryCodeTest {

    @TempDir
    Path tmp;

    @Test
    void territoryCodeWithSqlIsRefusedBeforeAnyQuery() throws Exception {
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        for (String evil : List.of("76540' OR '1'='1", "76540; DROP TABLE scope_commune; --", "76540) UNION SELECT 1--",
                "' || (SELECT id_foyer FROM read_parquet('x')) || '")) {
            Path out = tmp.resolve("o" + evil.hashCode());
            assertThatThrownBy(() -> engine.run(new ExtractSpec(SampleSnapshot.get(), List.of("ALLOC"), evil,
                    EnumSet.of(Level.COMMUNE), Optional.empty(), out)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("unknown territory code")
                    .hasMessageNotContaining("'");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void indicatorCodeWithSqlIsRefused() {
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        assertThatThrownBy(() -> engine.run(new ExtractSpec(SampleSnapshot.get(),
                List.of("ALLOC", "count(*) FROM read_csv('/etc/passwd') --"), "76540", EnumSet.of(Level.COMMUNE),
                Optional.empty(), tmp.resolve("o"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown indicator code");
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void snapshotPathWithQuoteIsBoundNotSplicedAndGeneratorTargetIsRefused() throws Exception {
        // reading: the path is a bind parameter, so a quote is just a missing file
        assertThatThrownBy(() -> ExtractEngine.metropoleRouen().plan(tmp.resolve("x'); COPY t TO '/tmp/p.parquet"),
                List.of("ALLOC"), "76540", EnumSet.of(Level.COMMUNE)))
                .isInstanceOf(IllegalArgumentException.class);
        // writing (COPY TO takes no parameter): a path outside the safe character set is refused
        assertThatThrownBy(() -> SnapshotGenerator.generate(Geography.metropoleRouen(), 10, 2024, 1,
                tmp.resolve("a'b").resolve("s.parquet")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path refused");
    }
}
