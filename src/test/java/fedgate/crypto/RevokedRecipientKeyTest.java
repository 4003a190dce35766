package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevokedRecipientKeyTest {

    @Test
    void revokedPartnerKeyIsRefused() throws Exception {
        try (Gpg gpg = new Gpg()) {
            GeneratedKeys.Generated key = GeneratedKeys.generate(gpg, "Ville revoquee <referent@ville-rouen.example>", null, "1y");
            Instant now = Instant.now().plusSeconds(60);
            assertThat(PgpKeys.partnerKey("ville-rouen", key.ring(), key.fingerprint(), now)).isNotNull();

            var revoked = GeneratedKeys.revoke(gpg, key.fingerprint());

            assertThatThrownBy(() -> PgpKeys.partnerKey("ville-rouen", revoked, key.fingerprint(), now))
                    .isInstanceOfSatisfying(PgpException.class, e -> {
                        assertThat(e.code()).isEqualTo(PgpException.Code.KEY_REVOKED);
                        assertThat(e.reason()).startsWith("La clé OpenPGP du partenaire ville-rouen a été révoquée le");
                    });
        }
    }
}
