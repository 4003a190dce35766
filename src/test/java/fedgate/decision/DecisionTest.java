package fedgate.decision;

import fedgate.extract.Geography;
import fedgate.extract.IndicatorCatalogue;
import fedgate.extract.Level;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecisionTest {

    private static final IndicatorCatalogue CATALOGUE = IndicatorCatalogue.load();

    @Test
    void codesAreCanonicalAndDeduplicated() {
        Decision d = Decision.checked(true, "  ok  ", List.of("alloc", "ALLOC", " tx_couv"), " 10 jours ", null,
                CATALOGUE);
        assertThat(d.indicators()).containsExactly("ALLOC", "TX_COUV");
        assertThat(d.motif()).isEqualTo("ok");
        assertThat(d.deliveryDelay()).isEqualTo("10 jours");
        assertThat(d.externalDiffusionApproved()).isFalse();
    }

    @Test
    void everyProblemIsNamed() {
        assertThatThrownBy(() -> Decision.checked(null, " ", List.of("CHATS"), "x\ny", null, CATALOGUE))
                .isInstanceOf(Decision.InvalidDecision.class)
                .hasMessageContaining("'favorable' is required")
                .hasMessageContaining("'motif' is required")
                .hasMessageContaining("unknown indicator code 'CHATS'")
                .hasMessageContaining("'delay' must be one line");
    }

    @Test
    void defavorableDeliversNothing() {
        assertThatThrownBy(() -> Decision.checked(false, "non", List.of("ALLOC"), null, null, CATALOGUE))
                .hasMessageContaining("défavorable answer delivers no indicator");
        assertThatThrownBy(() -> Decision.checked(false, "non", List.of(), null, true, CATALOGUE))
                .hasMessageContaining("externalDiffusionApproved");
    }

    @Test
    void controlCharactersInTheMotifAreRefused() {
        assertThatThrownBy(() -> Decision.checked(true, "ok\u0007", List.of(), null, null, CATALOGUE))
                .hasMessageContaining("control characters");
    }

    @Test
    void scopeIsTheCommuneAndItsEpciByDefault() {
        Geography g = Geography.metropoleRouen();
        ExtractScope s = ExtractScope.of(List.of(), List.of("76540", "200023414"), g);
        assertThat(s.territory()).isEqualTo("76540");
        assertThat(s.levels()).containsExactlyInAnyOrder(Level.COMMUNE, Level.EPCI);
    }

    @Test
    void anInfraCommunalTerritoryAddsTheIrisLevel() {
        Geography g = Geography.metropoleRouen();
        String iris = g.children(g.find(Level.COMMUNE, "76540").orElseThrow()).get(0).code();
        ExtractScope s = ExtractScope.of(List.of(iris), List.of("76540", "200023414"), g);
        assertThat(s.territory()).isEqualTo("76540");
        assertThat(s.levels()).containsExactlyInAnyOrder(Level.IRIS, Level.COMMUNE, Level.EPCI);
    }

    @Test
    void severalCommunesAreAnsweredAtTheirEpci() {
        Geography g = Geography.metropoleRouen();
        String other = g.at(Level.COMMUNE).stream().map(t -> t.code()).filter(c -> !c.equals("76540")).findFirst()
                .orElseThrow();
        ExtractScope s = ExtractScope.of(List.of("76540", other), List.of("76540"), g);
        assertThat(s.territory()).isEqualTo("200023414");
    }

    @Test
    void unknownTerritoriesAreRefused() {
        assertThatThrownBy(() -> ExtractScope.of(List.of("99999"), List.of(), Geography.metropoleRouen()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
