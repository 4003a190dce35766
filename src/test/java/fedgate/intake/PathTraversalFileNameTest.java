package fedgate.intake;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** File names a partner sends are metadata only; names that climb, are absolute or hide characters are refused. */
class PathTraversalFileNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "../demande.json", "../../etc/passwd", "inbox/../../x.json", "/etc/passwd",
            "\\\\server\\share\\x.json", "C:\\temp\\x.json", "c:x.json", "sub/dir.json", "a\\b.json",
            "demande\u0000.json", "demande\n.json", "demande\r\n.json", "fichier\u202Enosj.exe", "tab\tname.json",
            "\u0007bell.json", ""})
    void refused(String name) {
        assertThat(SafeFileName.isSafe(name)).as(SafeFileName.printable(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"demande.json", "FED Rouen 2026.pdf", "demande-fed_v2.docx", "Étude précarité.odt",
            ".hidden.json", "a..b.json"})
    void accepted(String name) {
        assertThat(SafeFileName.isSafe(name)).isTrue();
    }

    @org.junit.jupiter.api.Test
    void overlongNamesAreRefused() {
        assertThat(SafeFileName.isSafe("a".repeat(256))).isFalse();
        assertThat(SafeFileName.isSafe("a".repeat(255))).isTrue();
    }

    @org.junit.jupiter.api.Test
    void printableEscapesControlCharacters() {
        assertThat(SafeFileName.printable("a\nb\u202Ec")).isEqualTo("a\\u000ab\\u202ec");
    }
}
