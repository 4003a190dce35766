package fedgate.extract;

import fedgate.disclosure.Cell;
import fedgate.disclosure.CellKind;
import fedgate.disclosure.CellStatus;
import fedgate.disclosure.DisclosurePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ExtractEngineTest {

    @TempDir
    Path tmp;

    private static final EnumSet<Level> ALL = EnumSet.of(Level.IRIS, Level.COMMUNE, Level.EPCI);

    @Test
    void socleOfTheMetropoleIsDeliveredWithEveryRuleBitingAndEveryIntervalWideEnough() throws Exception {
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        Path out = tmp.resolve("socle");
        ExtractResult r = engine.run(new ExtractSpec(SampleSnapshot.get(), List.of("socle"), "200023414", ALL,
                Optional.of("FED-2026-000042"), out));

        assertThat(r.delivered()).isTrue();
        assertThat(r.auditPassed()).isTrue();
        assertThat(out.resolve("extract.csv")).exists();
        assertThat(out.resolve("extract.json")).exists();
        assertThat(out.resolve("disclosure-report.json")).exists();
        assertThat(out.resolve("disclosure-report.md")).exists();
        // every rule bites on the sample (DESIGN.md rules 1-4)
        assertThat(r.counts().get(CellStatus.TERRITORY)).isPositive();
        assertThat(r.counts().get(CellStatus.FREQUENCY)).isPositive();
        assertThat(r.counts().get(CellStatus.DOMINANCE)).isPositive();
        assertThat(r.counts().get(CellStatus.SECONDARY)).isPositive();
        // some IRIS under 100 allocataires, some counts of 1-4 (they are suppressed, checked below)
        assertThat(r.cells()).anyMatch(c -> c.indicator().equals("ALLOC") && c.level().equals("iris")
                && c.value() < 100);
        assertThat(r.cells()).anyMatch(c -> c.kind() == CellKind.COUNT && c.value() >= 1 && c.value() <= 4);
        // realism: coverage never above the INSEE population, RSA for 10-15 % of allocataires
        assertThat(r.cells()).filteredOn(c -> c.indicator().equals("TX_COUV") && !Double.isNaN(c.value()))
                .isNotEmpty().allSatisfy(c -> assertThat(c.value()).as(c.key()).isLessThanOrEqualTo(100.0));
        Cell rsa = r.cells().stream().filter(c -> c.key().equals("MINIMA|RSA|epci|200023414")).findFirst().orElseThrow();
        assertThat(rsa.value() / SampleSnapshot.HOUSEHOLDS).isBetween(0.10, 0.15);

        List<String> lines = Files.readAllLines(out.resolve("extract.csv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("# Source : CAF de Rouen — 31/12/2024");
        assertThat(lines.get(1)).isEqualTo("indicator;category;level;territory;territory_label;value;status");
        assertThat(lines).hasSize(r.cells().size() + 2);
        assertThat(lines).contains("ALLOC;ensemble;epci;200023414;Métropole Rouen Normandie;100000;published");
        // suppressed cells read "s" and carry their rule
        assertThat(lines.stream().filter(l -> l.endsWith(";territory"))).allMatch(l -> l.contains(";s;"));

        DisclosurePolicy p = engine.policy();
        for (Cell c : r.cells()) {
            if (c.suppressed() && c.kind().additive()) {
                assertThat(c.auditHigh() - c.auditLow()).as("interval of %s", c)
                        .isGreaterThanOrEqualTo(p.requiredWidth(c) - 1e-6);
            }
            if (c.infraCommunal() && c.territoryAllocataires() < 100) {
                assertThat(c.status()).as("Art. 2 for %s", c).isEqualTo(CellStatus.TERRITORY);
            }
        }
        assertThat(r.cells()).filteredOn(c -> c.kind() == CellKind.COUNT && c.value() > 0 && c.value() < 5)
                .allMatch(Cell::suppressed);
    }

    @Test
    void rouenAlonePublishesRouenItsIrisAndTheMetropoleWithTheSocleSuppressionPattern() throws Exception {
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        ExtractResult whole = engine.run(new ExtractSpec(SampleSnapshot.get(), List.of("ALLOC", "AL"), "200023414",
                ALL, Optional.empty(), tmp.resolve("whole")));
        ExtractResult rouen = engine.run(new ExtractSpec(SampleSnapshot.get(), List.of("ALLOC", "AL"), "76540",
                ALL, Optional.empty(), tmp.resolve("rouen")));
        assertThat(rouen.cells()).extracting(Cell::territory)
                .allMatch(t -> t.equals("76540") || t.equals("200023414") || t.startsWith("76540"));
        assertThat(rouen.cells()).anyMatch(c -> c.level().equals("iris"));
        // consistent with the wider extract: same status for every cell both deliver
        for (Cell c : rouen.cells()) {
            Cell same = whole.cells().stream().filter(w -> w.key().equals(c.key())).findFirst().orElseThrow();
            assertThat(c.status()).as(c.key()).isEqualTo(same.status());
        }
    }

    @Test
    void extractFromCsvSnapshotEqualsExtractFromParquet() throws Exception {
        Path csv = SnapshotGenerator.generate(Geography.metropoleRouen(), 3000, 2024, 11, tmp.resolve("s.csv")).file();
        Path parquet = SnapshotGenerator.generate(Geography.metropoleRouen(), 3000, 2024, 11, tmp.resolve("s.parquet")).file();
        ExtractEngine engine = ExtractEngine.metropoleRouen();
        engine.run(new ExtractSpec(csv, List.of("socle"), "76540", EnumSet.of(Level.COMMUNE), Optional.empty(), tmp.resolve("a")));
        engine.run(new ExtractSpec(parquet, List.of("socle"), "76540", EnumSet.of(Level.COMMUNE), Optional.empty(), tmp.resolve("b")));
        assertThat(Files.readString(tmp.resolve("a/extract.csv"))).isEqualTo(Files.readString(tmp.resolve("b/extract.csv")));
    }
}
