package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiredRecipientKeyTest {

    @Test
    void sampleKeyRefusedAfterItsExpiryDate() throws Exception {
        // the sample key expires on 2029-11-27 (its self-signature says so)
        assertThat(PgpKeys.partnerKey("ville-rouen", Fixtures.VILLE_PUB, Fixtures.VILLE_FPR, Instant.parse("2029-11-01T00:00:00Z")))
                .isNotNull();
        assertThatThrownBy(() -> PgpKeys.partnerKey("ville-rouen", Fixtures.VILLE_PUB, Fixtures.VILLE_FPR,
                Instant.parse("2029-12-01T00:00:00Z")))
                .isInstanceOfSatisfying(PgpException.class, e -> {
                    assertThat(e.code()).isEqualTo(PgpException.Code.KEY_EXPIRED);
                    assertThat(e.reason()).startsWith("La clé OpenPGP du partenaire ville-rouen a expiré le 27 novembre 2029");
                });
    }

    @Test
    void gpgKeyThatExpiredInThePastIsRefused() throws Exception {
        try (Gpg gpg = new Gpg()) {
            GeneratedKeys.Generated key = GeneratedKeys.generate(gpg, "Ville expiree <referent@ville-rouen.example>",
                    "20200101T000000", "1d");

            assertThatThrownBy(() -> PgpKeys.partnerKey("ville-rouen", key.ring(), key.fingerprint(), Instant.now()))
                    .isInstanceOfSatisfying(PgpException.class, e -> {
                        assertThat(e.code()).isEqualTo(PgpException.Code.KEY_EXPIRED);
                        assertThat(e.reason()).isEqualTo(
                                "La clé OpenPGP du partenaire ville-rouen a expiré le 2 janvier 2020 à 01:00");
                    });
            // the same key was fine while valid: the refusal is about time, nothing else
            assertThat(PgpKeys.partnerKey("ville-rouen", key.ring(), key.fingerprint(), Instant.parse("2020-01-01T12:00:00Z"))
                    .encryptionKey().isMasterKey()).isFalse();
        }
    }

    @Test
    void expiredCafSigningKeyIsRefused() throws Exception {
        char[] pass = Passphrase.from(null, Fixtures.CAF_PASS);
        assertThatThrownBy(() -> PgpKeys.signingKey(PgpKeys.readSecretKeyRing(Fixtures.CAF_SEC), pass,
                Instant.parse("2030-01-01T00:00:00Z")))
                .isInstanceOfSatisfying(PgpException.class, e -> assertThat(e.reason()).startsWith("La clé OpenPGP de la CAF a expiré le"));
    }
}
