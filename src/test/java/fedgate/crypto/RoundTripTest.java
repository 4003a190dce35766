package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoundTripTest {

    @ParameterizedTest(name = "size={0} compression={1} armor={2} pipeline={3}")
    @CsvSource({
        "0, NONE, false, true",
        "1, NONE, false, true",
        "300000, NONE, false, true",
        "300000, NONE, false, false",
        "300000, ZLIB, false, true",
        "300000, NONE, true, true",
        "65536, ZLIB, true, false",
        "3145739, NONE, false, true",  // several 2^20 SEIPD partial bodies
        "3145739, NONE, true, false",
        "3145739, ZLIB, false, true",
    })
    void oursDecryptsOurs(int size, PgpEncryptor.Compression compression, boolean armor, boolean pipeline) throws Exception {
        byte[] plain = Fixtures.sampleCsv(size);
        PgpEncryptor encryptor = new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey())
                .withCompression(compression).withArmor(armor).withPipeline(pipeline);
        ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
        long modTime = 1_780_000_000_000L;

        EncryptionResult result = encryptor.signAndEncrypt(new ByteArrayInputStream(plain), encrypted, "extrait.csv", modTime);

        byte[] cipher = encrypted.toByteArray();
        assertThat(result.plainBytes()).isEqualTo(size);
        assertThat(result.encryptedBytes()).isEqualTo(cipher.length);
        assertThat(result.plainSha256()).isEqualTo(sha256(plain));
        assertThat(result.encryptedSha256()).isEqualTo(sha256(cipher));
        assertThat(result.recipientFingerprint()).isEqualTo(Fixtures.VILLE_FPR);
        assertThat(result.recipientKeyFingerprint()).isEqualTo("54543E8018AEBFD50B3E8D9E13EA35FE6A130ABC");
        assertThat(result.recipientKeyId()).isEqualTo("13EA35FE6A130ABC");
        assertThat(result.signerFingerprint()).isEqualTo(Fixtures.CAF_FPR);
        assertThat(new String(cipher, 0, Math.min(cipher.length, 27), StandardCharsets.US_ASCII).startsWith("-----BEGIN PGP MESSAGE-----"))
                .isEqualTo(armor);
        if (!armor && compression == PgpEncryptor.Compression.NONE) {
            assertThat((long) cipher.length).isGreaterThan(size); // really not compressed
        }

        ByteArrayOutputStream decrypted = new ByteArrayOutputStream();
        DecryptionResult check = new PgpDecryptor(Fixtures.villeDecryptionKeys(), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC))
                .decryptAndVerify(new ByteArrayInputStream(cipher), decrypted, Fixtures.cafPublic());

        assertThat(decrypted.toByteArray()).isEqualTo(plain);
        assertThat(check.plainSha256()).isEqualTo(result.plainSha256());
        assertThat(check.plainBytes()).isEqualTo(size);
        assertThat(check.signerFingerprint()).isEqualTo(Fixtures.CAF_FPR);
        assertThat(check.fileName()).isEqualTo("extrait.csv");
        assertThat(check.modificationTime().getEpochSecond()).isEqualTo(modTime / 1000);
        assertThat(check.symmetricAlgorithm()).isEqualTo(9); // AES-256
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
