package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassphraseTest {

    @TempDir
    Path dir;

    @Test
    void environmentVariableWinsOverTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("pass"), "from-file\n");
        assertThat(Passphrase.from("FG_PASS", file, Map.of("FG_PASS", "from-env")::get)).containsExactly("from-env".toCharArray());
        assertThat(Passphrase.from("FG_PASS", file, Map.<String, String>of()::get)).containsExactly("from-file".toCharArray());
    }

    @Test
    void missingPassphraseNamesTheSourcesNotAValue() {
        assertThatThrownBy(() -> Passphrase.from("FG_PASS", dir.resolve("absent"), Map.<String, String>of()::get))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("FG_PASS");
    }

    @Test
    void wrongPassphraseIsRefusedWithoutEchoingIt() throws Exception {
        char[] wrong = "tr0ub4dor-not-it".toCharArray();
        assertThatThrownBy(() -> PgpKeys.signingKey(PgpKeys.readSecretKeyRing(Fixtures.CAF_SEC), wrong, Fixtures.NOW))
                .isInstanceOfSatisfying(PgpException.class, e -> {
                    assertThat(e.code()).isEqualTo(PgpException.Code.WRONG_PASSPHRASE);
                    assertThat(e.getMessage()).doesNotContain("tr0ub4dor");
                    assertThat(e.reason()).isEqualTo("Phrase de passe incorrecte pour la clé OpenPGP de la CAF");
                });
    }

    @Test
    void signingKeyToStringShowsNoKeyMaterial() throws Exception {
        assertThat(Fixtures.cafSigningKey().toString()).isEqualTo("SigningKey[" + Fixtures.CAF_FPR + "]");
    }

    @Test
    void literalFileNameCannotCarryAPath() throws Exception {
        PgpEncryptor encryptor = new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey());
        assertThatThrownBy(() -> encryptor.signAndEncrypt(new java.io.ByteArrayInputStream(new byte[1]),
                new java.io.ByteArrayOutputStream(), "../../etc/cron.d/x", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
