package fedgate.partner;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Partner ids become queue names, directory names and account names: nothing but [a-z0-9-] gets in. */
class PartnerIdInjectionTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a;b", "a/b", "a\\b", "..", ".", "x", "", " ville-rouen", "ville-rouen\n",
            "ville rouen", "Ville-Rouen", "-rouen", "villé", "a*", "fed.events.#", "a\u0000b", "$(id)",
            "abcdefghijklmnopqrstuvwxyz0123456789abcdef"})
    void hostileIdIsRefused(String id) {
        assertThatThrownBy(() -> PartnerFixtures.partner(id))
                .isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("field 'id'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a;b", "..%2fx"})
    void hostileIdInAFileStopsStartUp(String id) throws Exception {
        Files.writeString(dir.resolve("evil.json"), PartnerFixtures.json(id));
        assertThatThrownBy(() -> PartnerRegistry.fromDirectory(dir))
                .isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("evil.json")
                .hasMessageContaining("field 'id'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ville-rouen", "a1", "caf-76", "abcdefghijklmnopqrstuvwxyz0123456789abcde"})
    void wellFormedIdIsAccepted(String id) {
        assertThat(PartnerFixtures.partner(id).id()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../ville-rouen", "ville-rouen/../x", "a;b"})
    void lookupWithHostileIdFindsNothing(String id) {
        assertThat(PartnerRegistry.withSamples(null).find(id)).isEmpty();
    }
}
