package fedgate.fed;

import static fedgate.fed.FedSamples.EXPECTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class LabelTextParserTest {

    private final LabelTextParser parser = new LabelTextParser();

    @Test
    void annexLayoutWithSlashSeparatorsAndValuesOnNextLines() throws Exception {
        assertThat(parser.parse(FedSamples.ANNEX_LAYOUT)).isEqualTo(EXPECTED);
    }

    @Test
    void capitalsWithoutAccentsInlineValuesAndCrlf() throws Exception {
        assertThat(parser.parse(FedSamples.CAPS_LAYOUT)).isEqualTo(EXPECTED);
    }

    @Test
    void wrappedLinesExtraSpacesTabsNfdAndNoSeparators() throws Exception {
        assertThat(parser.parse(FedSamples.WRAPPED_LAYOUT)).isEqualTo(EXPECTED);
    }

    @Test
    void bulletsClosingFormulaAndSignatureIgnored() throws Exception {
        assertThat(parser.parse(FedSamples.BULLET_LAYOUT)).isEqualTo(EXPECTED);
    }

    @Test
    void quotedReplyPrefixesAreRemoved() throws Exception {
        String quoted = "Bonjour, je vous renvoie ma demande.\n\nLe 12/03/2026, Marie a écrit :\n"
                + FedSamples.ANNEX_LAYOUT.lines().map(l -> "> " + l).reduce("", (a, b) -> a + b + "\n");
        assertThat(parser.parse(quoted)).isEqualTo(EXPECTED);
    }

    @Test
    void sectionDecidesWhatServiceMeans() throws Exception {
        Feuillet1 f = parser.parse("""
                Organisme demandeur : Ville de Rouen
                Le Service demandeur
                Service : Observatoire social
                Responsable : Jean MARTIN
                Le Référent
                Nom : Dupont
                Prénom : Marie
                Service : Direction de la cohésion sociale
                """);
        assertThat(f.requestingService().title()).isEqualTo("Observatoire social");
        assertThat(f.referent().service()).isEqualTo("Direction de la cohésion sociale");
        assertThat(f.referent().lastName()).isEqualTo("Dupont");
        assertThat(f.referent().firstName()).isEqualTo("Marie");
    }

    @Test
    void nameHeuristics() {
        assertThat(FedDraft.splitName("DUPONT Marie")).containsExactly("DUPONT", "Marie");
        assertThat(FedDraft.splitName("Marie DUPONT")).containsExactly("DUPONT", "Marie");
        assertThat(FedDraft.splitName("Marie Dupont")).containsExactly("Dupont", "Marie");
        assertThat(FedDraft.splitName("Dupont, Marie")).containsExactly("Dupont", "Marie");
        assertThat(FedDraft.splitName("Mme Marie-Claire LE GALL")).containsExactly("LE GALL", "Marie-Claire");
        assertThat(FedDraft.splitName("DUPONT MARIE")).containsExactly("DUPONT", "MARIE");
        assertThat(FedDraft.splitName("Dupont")).containsExactly("Dupont", null);
    }

    @Test
    void dateFormats() {
        assertThat(FedDraft.parseDate("12/03/2026")).isEqualTo(LocalDate.of(2026, 3, 12));
        assertThat(FedDraft.parseDate("Rouen, le 1er mars 2026")).isEqualTo(LocalDate.of(2026, 3, 1));
        assertThat(FedDraft.parseDate("12 FÉVRIER 2026")).isEqualTo(LocalDate.of(2026, 2, 12));
        assertThat(FedDraft.parseDate("2026-03-12")).isEqualTo(LocalDate.of(2026, 3, 12));
        assertThat(FedDraft.parseDate("31/02/2026")).isNull();
        assertThat(FedDraft.parseDate("bientôt")).isNull();
    }

    @Test
    void shortLabelWithoutSeparatorStaysTextUnlessTheValueFits() throws Exception {
        Feuillet1 f = parser.parse("""
                Organisme demandeur : Ville de Rouen
                Étude envisagée :
                Observer l'évolution des familles.
                Service de la petite enfance associé à l'étude.
                """);
        assertThat(f.study()).isEqualTo("Observer l'évolution des familles. Service de la petite enfance associé à l'étude.");
        assertThat(f.referent()).isNull();
    }

    @Test
    void diffusionExterneAndYear() throws Exception {
        Feuillet1 f = parser.parse("Organisme demandeur : Ville de Rouen\nDiffusion : Externe (rapport public)\n"
                + "Année de référence : données 2023\n");
        assertThat(f.diffusion()).isEqualTo(Feuillet1.Diffusion.EXTERNE);
        assertThat(f.referenceYear()).isEqualTo(2023);
    }

    @Test
    void textWithoutFedLabelsIsNotAFed() {
        FedReadException e = catchThrowableOfType(FedReadException.class,
                () -> parser.parse("Bonjour,\nDate : 12/03/2026\nPouvez-vous me rappeler ?\nCordialement"));
        assertThat(e.code()).isEqualTo(FedReadException.Code.NO_FED_FOUND);
        FedSamples.assertFrenchReason(e);
    }
}
