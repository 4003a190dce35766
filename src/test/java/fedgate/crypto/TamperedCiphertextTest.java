package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TamperedCiphertextTest {

    @Test
    void oneFlippedByteInTheMiddleIsRefused() throws Exception {
        byte[] plain = Fixtures.sampleCsv(100_000);
        ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
        new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey())
                .signAndEncrypt(new ByteArrayInputStream(plain), encrypted, "extrait.csv", 0);
        byte[] cipher = encrypted.toByteArray();
        cipher[cipher.length / 2] ^= 0x01;

        PgpDecryptor decryptor = new PgpDecryptor(Fixtures.villeDecryptionKeys(), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> decryptor.decryptAndVerify(new ByteArrayInputStream(cipher), new ByteArrayOutputStream(),
                Fixtures.cafPublic()))
                .isInstanceOfSatisfying(PgpException.class, e -> {
                    assertThat(e.code()).isEqualTo(PgpException.Code.INTEGRITY_CHECK_FAILED);
                    assertThat(e.reason()).contains("intégrité");
                });
    }

    @Test
    void alteredDataFailsTheDetachedSignature() throws Exception {
        byte[] manifest = "{\"request\":\"FED-2026-000001\"}".getBytes();
        String sig = new DetachedSigner(Fixtures.cafSigningKey()).sign(new ByteArrayInputStream(manifest));
        Clock clock = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);
        assertThat(DetachedSigner.verify(new ByteArrayInputStream(manifest), new ByteArrayInputStream(sig.getBytes()),
                Fixtures.cafPublic(), clock).valid()).isTrue();

        manifest[5] ^= 0x01;
        DetachedSigner.Verification altered = DetachedSigner.verify(new ByteArrayInputStream(manifest),
                new ByteArrayInputStream(sig.getBytes()), Fixtures.cafPublic(), clock);
        assertThat(altered.valid()).isFalse();
        assertThat(altered.reason()).contains("altérées");
    }
}
