package fedgate.validation;

import fedgate.extract.IndicatorCatalogue.Indicator;
import fedgate.validation.IndicatorMatcher.How;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IndicatorMatcherTest {

    private final IndicatorMatcher matcher = new IndicatorMatcher(Fixtures.CATALOGUE);

    @ParameterizedTest(name = "{0} → {1} ({2})")
    @CsvSource(delimiter = '|', value = {
            // codes, any case
            "ALLOC                                                  | ALLOC         | CODE",
            "tx_couv                                                | TX_COUV       | CODE",
            "Rev-UC-Decile                                          | REV_UC_DECILE | CODE",
            // labels and aliases as referents write them
            "Nombre d'allocataires                                  | ALLOC         | LABEL",
            "le nombre d’allocataires                               | ALLOC         | LABEL",
            "Nb allocataires                                        | ALLOC         | LABEL",
            "NOMBRE D'ALLOCATAIRES                                  | ALLOC         | LABEL",
            "Population couverte                                    | POP_COUV      | LABEL",
            "Taux de couverture.                                    | TX_COUV       | LABEL",
            "Bénéficiaires de prestations soumises à condition de ressources | BEN_PSCR | LABEL",
            "- Part des familles nombreuses                         | PART_FAM_NOMB | LABEL",
            "les familles nombreuses                                | PART_FAM_NOMB | LABEL",
            "Enfants à charge par classe d'âge                      | ENF_AGE       | LABEL",
            "Nombre d'enfants                                       | ENF_AGE       | LABEL",
            "Les aides au logement                                  | AL            | LABEL",
            "APL                                                    | AL            | LABEL",
            "Bénéficiaires du RSA                                   | MINIMA        | LABEL",
            "Minima sociaux et autres prestations                   | PRESTA_MONTANT | LABEL",
            "Taux de dépendance aux prestations                     | TX_DEP        | LABEL",
            "2) Part des allocataires sous le seuil de bas revenus  | BAS_REV       | LABEL",
            "Distribution du revenu par unité de consommation       | REV_UC_DECILE | LABEL",
            "Structure familiale                                    | STRUCT_FAM    | LABEL",
            "Montant mensuel des allocations familiales             | AF_MONTANT    | LABEL",
            // typos: distance ≤ 2 on ≥ 8 characters, unambiguous
            "nombre d'alocataires                                   | ALLOC         | FUZZY",
            "Taux de couvreture                                     | TX_COUV       | FUZZY",
            "populaton couverte                                     | POP_COUV      | FUZZY",
            "familles nombreueses                                   | PART_FAM_NOMB | FUZZY",
            "Allocations familliales                                | AF            | FUZZY",
            "taux de dépandance                                     | TX_DEP        | FUZZY",
            "minima sociau                                          | MINIMA        | FUZZY",
    })
    void phrasingMapsToCode(String text, String code, How how) {
        IndicatorMatcher.Match m = matcher.match(text).orElseThrow(() -> new AssertionError("no match for " + text));
        assertThat(m.codes()).containsExactly(code);
        assertThat(m.how()).isEqualTo(how);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nombre de chats", "chômage", "revenus", "RSB", "logement social", "taux de natalité",
            "alloc familiales montant du loyer", "xx", "nombre de"})
    void unrelatedTextMatchesNothing(String text) {
        assertThat(matcher.match(text)).isEmpty();
        assertThat(matcher.matchAll(List.of(text)).unknown()).extracting(IndicatorMatcher.Unknown::requested)
                .containsExactly(text);
    }

    @Test
    void shortWordsAreNeverFuzzyMatched() {
        // "AFF" is one edit from "AF" but far too short to guess
        assertThat(matcher.match("AFF")).isEmpty();
        assertThat(matcher.match("rsaa")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"socle", "Socle de données de cadrage", "le socle de cadrage", "SOCLE", "Annexe 1",
            "l'ensemble du socle"})
    void socleMeansEverySocleIndicator(String text) {
        IndicatorMatcher.Match m = matcher.match(text).orElseThrow();
        assertThat(m.how()).isEqualTo(How.SOCLE);
        assertThat(m.codes()).containsExactlyElementsOf(
                Fixtures.CATALOGUE.socle().stream().map(Indicator::code).toList());
    }

    @Test
    void aListWrittenInOneFieldIsSplit() {
        IndicatorMatcher.Result r = matcher.matchAll(List.of(
                "Allocataires, taux de couverture et familles nombreuses",
                "APL / ALF / ALS",
                "Minima sociaux et autres prestations"));
        assertThat(r.codes()).containsExactly("ALLOC", "TX_COUV", "PART_FAM_NOMB", "AL", "PRESTA_MONTANT");
        assertThat(r.unknown()).isEmpty();
    }

    @Test
    void aListWithOneUnknownPartNamesOnlyThatPart() {
        IndicatorMatcher.Result r = matcher.matchAll(List.of("allocataires; nombre de chats", "population couverte et taux de chômage"));
        assertThat(r.codes()).containsExactly("ALLOC", "POP_COUV");
        assertThat(r.unknown()).extracting(IndicatorMatcher.Unknown::requested)
                .containsExactly("nombre de chats", "taux de chômage");
    }

    @Test
    void codesAreDeduplicatedInRequestOrder() {
        IndicatorMatcher.Result r = matcher.matchAll(List.of("TX_COUV", "allocataires", "Taux de couverture", "ALLOC", " "));
        assertThat(r.codes()).containsExactly("TX_COUV", "ALLOC");
        assertThat(r.matches()).hasSize(4);
    }

    @Test
    void everyLabelAndAliasOfTheCatalogueMapsBackToItsOwnCode() {
        // guards the catalogue against an alias that would make two indicators indistinguishable
        for (Indicator i : Fixtures.CATALOGUE.indicators()) {
            for (String text : concat(i.label(), i.aliases())) {
                assertThat(matcher.match(text)).as(text).hasValueSatisfying(m -> assertThat(m.codes()).containsExactly(i.code()));
            }
        }
    }

    @Test
    void ambiguousTypoIsNotGuessed() {
        // "AX montant" is one edit from both AF_MONTANT and AL_MONTANT: reported with both, never guessed
        IndicatorMatcher.Result r = matcher.matchAll(List.of("AX montant"));
        assertThat(r.codes()).isEmpty();
        assertThat(r.unknown()).singleElement().satisfies(u ->
                assertThat(u.candidates()).containsExactlyInAnyOrder("AF_MONTANT", "AL_MONTANT"));
        ValidationResult v = Fixtures.validator().validate(Fixtures.with(Fixtures.draft(), Fixtures.draft().study(),
                List.of("AX montant"), List.of(), null), Fixtures.fromReferent(), Fixtures.TODAY);
        assertThat(v.reasons()).singleElement().satisfies(x -> {
            assertThat(x.code()).isEqualTo(Reason.Code.UNKNOWN_INDICATOR);
            assertThat(x.text()).isEqualTo("Indicateur ambigu : « AX montant » peut désigner AL_MONTANT (Montant "
                    + "mensuel des aides au logement) ou AF_MONTANT (Montant mensuel des allocations familiales). "
                    + "Merci de préciser l'intitulé ou le code de l'indicateur souhaité.");
        });
    }

    private static List<String> concat(String first, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
    }
}
