package fedgate.extract;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.io.TempDir;

class FeasibilityTest {

    @Test
    void draftNamesIrisUnderOneHundredAllocatairesAndUnavailableLevels() throws Exception {
        Feasibility f = new Feasibility(ExtractEngine.metropoleRouen());
        Feasibility.Draft d = f.assess(SampleSnapshot.get(), List.of("ALLOC", "TX_COUV", "NOPE"), "76540",
                EnumSet.of(Level.IRIS, Level.COMMUNE, Level.DEPARTEMENT));
        assertThat(d.unknownIndicators()).containsExactly("NOPE");
        assertThat(d.motif()).containsPattern("IRIS 76540\\d{4} : moins de 100 allocataires \\(Art\\. 2\\)");
        assertThat(d.motif()).contains("Niveau Département non disponible pour ce territoire");
        assertThat(d.motif()).contains("Indicateur inconnu du catalogue : NOPE");
        assertThat(d.lines()).filteredOn(l -> l.indicator().equals("ALLOC") && l.level() == Level.COMMUNE)
                .singleElement().satisfies(l -> assertThat(l.publishable()).isTrue());
        assertThat(d.indicateursDisponibles()).contains("Nombre d'allocataires (ALLOC) — Commune");
    }

    @TempDir
    Path tmp;

    /**
     * Every request of one scope shares the engine's plan (the assess stage computed it again for each: ≈ 140 ms of
     * DuckDB and disclosure control per request); a snapshot replaced in place is read again.
     */
    @Test
    void planIsComputedOncePerScopeAndAgainWhenTheSnapshotChanges() throws Exception {
        Path snap = tmp.resolve("snapshot.parquet");
        Files.copy(SampleSnapshot.get(), snap);
        Feasibility f = new Feasibility(ExtractEngine.metropoleRouen());
        EnumSet<Level> levels = EnumSet.of(Level.COMMUNE, Level.EPCI);
        Feasibility.Draft first = f.assess(snap, List.of("ALLOC", "AL"), "76540", levels);
        Feasibility.Draft again = f.assess(snap, List.of("ALLOC", "AL"), "76540", levels);
        assertThat(f.planRuns()).isEqualTo(1);
        assertThat(again.lines()).isEqualTo(first.lines());
        f.assess(snap, List.of("ALLOC"), "76540", levels);
        assertThat(f.planRuns()).isEqualTo(2);

        Files.copy(SampleSnapshot.get(), snap, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(snap, FileTime.from(Instant.now().plusSeconds(60)));
        f.assess(snap, List.of("ALLOC", "AL"), "76540", levels);
        assertThat(f.planRuns()).isEqualTo(3);
    }
}
