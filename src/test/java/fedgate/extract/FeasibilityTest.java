package fedgate.extract;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
