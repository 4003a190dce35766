package fedgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @TempDir
    Path home;

    @Test
    void generatesA0600FileInA0700DirectoryAndReturnsTheSameValueNextTime() throws Exception {
        Path file = home.resolve("secrets/broker-fedgate");

        String first = Secrets.secret("FEDGATE_TEST_UNSET", file, Map.of());
        String second = Secrets.secret("FEDGATE_TEST_UNSET", file, Map.of());

        assertThat(first).isEqualTo(second);
        assertThat(Base64.getUrlDecoder().decode(first)).hasSize(24);
        assertThat(Files.readString(file)).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing).containsExactly(file); // no temp file left behind
        }
    }

    @Test
    void twoFilesGetDifferentSecrets() {
        assertThat(Secrets.secret(null, home.resolve("a"), Map.of()))
                .isNotEqualTo(Secrets.secret(null, home.resolve("b"), Map.of()));
    }

    @Test
    void environmentWinsOverTheFileAndNothingIsWritten() throws Exception {
        Path file = home.resolve("secrets/mail-fed");
        assertThat(Secrets.secret("FEDGATE_MAIL_PASSWORD", file, Map.of("FEDGATE_MAIL_PASSWORD", "from-env")))
                .isEqualTo("from-env");
        assertThat(file).doesNotExist();

        Files.createDirectories(file.getParent());
        Files.writeString(file, "from-file\n");
        assertThat(Secrets.secret("FEDGATE_MAIL_PASSWORD", file, Map.of("FEDGATE_MAIL_PASSWORD", "from-env")))
                .isEqualTo("from-env");
    }

    @Test
    void blankEnvironmentFallsBackToTheTrimmedFile() throws Exception {
        Path file = home.resolve("pass");
        Files.writeString(file, "  s3cret \n");
        assertThat(Secrets.secret("X", file, Map.of("X", "   "))).isEqualTo("s3cret");
        assertThat(Secrets.readPassphrase(file)).containsExactly('s', '3', 'c', 'r', 'e', 't');
    }

    @Test
    void anEmptySecretFileIsAnError() throws Exception {
        Path file = home.resolve("empty");
        Files.writeString(file, "\n");
        assertThatThrownBy(() -> Secrets.readSecretFile(file)).hasMessageContaining("empty");
    }
}
