package fedgate.validation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultTerritoryDirectoryTest {

    private final TerritoryDirectory directory = new DefaultTerritoryDirectory();

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "76540                        | 76540",
            "200023414                    | 200023414",
            "Rouen                        | 76540",
            "ROUEN                        | 76540",
            "Commune de Rouen             | 76540",
            "la ville de Rouen            | 76540",
            "Commune                      | 76540",
            "Agglomération                | 200023414",
            "l'agglomération              | 200023414",
            "Métropole                    | 200023414",
            "La Métropole Rouen Normandie | 200023414",
            "metropole de rouen           | 200023414",
            "EPCI                         | 200023414",
            "76681                        | 76681",
            "Sotteville-lès-Rouen (76681) | 76681",
            "765400101                    | 765400101",
            "IRIS 766810104               | 766810104",
    })
    void resolves(String text, String code) {
        assertThat(directory.resolve(Fixtures.ROUEN, text)).hasValue(code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Paris", "75056", "751010101", "247600786", "7654", "765400", "Le Havre",
            "Département", "76540 et 76681", ""})
    void refuses(String text) {
        assertThat(directory.resolve(Fixtures.ROUEN, text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../76540", "76540; DROP TABLE", "76540/../../etc", "Rouen\u0000"})
    void whateverIsWrittenOnlyABareCodeComesOut(String text) {
        // territory codes later select rows and name files: the canonical form is the code alone
        directory.resolve(Fixtures.ROUEN, text).ifPresent(code -> assertThat(code).matches("[0-9][0-9AB][0-9]{3}([0-9]{4})?"));
    }
}
