package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class WrongRecipientKeyTest {

    @Test
    void cafKeyCannotDecryptAMessageForVille() throws Exception {
        ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
        new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey())
                .signAndEncrypt(new ByteArrayInputStream(Fixtures.sampleCsv(1000)), encrypted, "extrait.csv", 0);

        PgpDecryptor asCaf = new PgpDecryptor(Fixtures.cafDecryptionKeys(), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        assertThatThrownBy(() -> asCaf.decryptAndVerify(new ByteArrayInputStream(encrypted.toByteArray()), plain, Fixtures.cafPublic()))
                .isInstanceOfSatisfying(PgpException.class, e -> {
                    assertThat(e.code()).isEqualTo(PgpException.Code.NOT_FOR_OUR_KEY);
                    assertThat(e.reason()).contains("13EA35FE6A130ABC");
                });
        assertThat(plain.size()).isZero();
    }

    @Test
    void messageSignedBySomeoneElseIsRefused() throws Exception {
        // Ville signs and encrypts to the CAF; we expect the CAF's signature: refused
        char[] pass = Passphrase.from(null, Fixtures.VILLE_PASS);
        SigningKey villeSigner = PgpKeys.signingKey(PgpKeys.readSecretKeyRing(Fixtures.VILLE_SEC), pass, Fixtures.NOW);
        PartnerKey toCaf = PgpKeys.partnerKey("caf-rouen", Fixtures.CAF_PUB, Fixtures.CAF_FPR, Fixtures.NOW);
        ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
        new PgpEncryptor(villeSigner, toCaf).signAndEncrypt(new ByteArrayInputStream(Fixtures.sampleCsv(1000)), encrypted, "x.csv", 0);

        PgpDecryptor asCaf = new PgpDecryptor(Fixtures.cafDecryptionKeys(), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> asCaf.decryptAndVerify(new ByteArrayInputStream(encrypted.toByteArray()),
                new ByteArrayOutputStream(), Fixtures.cafPublic()))
                .isInstanceOfSatisfying(PgpException.class, e -> assertThat(e.code()).isEqualTo(PgpException.Code.UNEXPECTED_SIGNER));
        // with the right expected signer it goes through
        assertThat(asCaf.decryptAndVerify(new ByteArrayInputStream(encrypted.toByteArray()), new ByteArrayOutputStream(),
                Fixtures.villePublic()).signerFingerprint()).isEqualTo(Fixtures.VILLE_FPR);
    }
}
