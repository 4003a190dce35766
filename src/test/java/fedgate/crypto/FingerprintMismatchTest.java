package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FingerprintMismatchTest {

    @Test
    void keyFileWhoseFingerprintDiffersFromTheRegistryIsRefused() {
        // e.g. the CAF's own key dropped in place of the partner's file
        assertThatThrownBy(() -> PgpKeys.partnerKey("ville-rouen", Fixtures.CAF_PUB, Fixtures.VILLE_FPR, Fixtures.NOW))
                .isInstanceOfSatisfying(PgpException.class, e -> {
                    assertThat(e.code()).isEqualTo(PgpException.Code.FINGERPRINT_MISMATCH);
                    assertThat(e.reason()).isEqualTo("L'empreinte de la clé OpenPGP du partenaire ville-rouen ("
                            + Fixtures.CAF_FPR + ") ne correspond pas à l'empreinte enregistrée (" + Fixtures.VILLE_FPR + ")");
                });
    }

    @Test
    void lookAlikeKeyWithTheSameUserIdIsRefused() throws Exception {
        try (Gpg gpg = new Gpg()) {
            GeneratedKeys.Generated impostor = GeneratedKeys.generate(gpg,
                    "Ville de Rouen - referent (sample, throw-away) <referent@ville-rouen.example>", null, "1y");
            assertThatThrownBy(() -> PgpKeys.partnerKey("ville-rouen", impostor.ring(), Fixtures.VILLE_FPR, java.time.Instant.now()))
                    .isInstanceOfSatisfying(PgpException.class,
                            e -> assertThat(e.code()).isEqualTo(PgpException.Code.FINGERPRINT_MISMATCH));
        }
    }

    @Test
    void pinnedFingerprintMayBeWrittenWithSpacesAndLowerCase() throws Exception {
        String spaced = "5b7d 4fcb bebf 3f8d 41c9  aa68 dfe5 8881 48db 5406";
        assertThat(PgpKeys.partnerKey("ville-rouen", Fixtures.VILLE_PUB, spaced, Fixtures.NOW).fingerprint())
                .isEqualTo(Fixtures.VILLE_FPR);
    }
}
