package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyKeyEncryptionMethodGenerator;
import org.junit.jupiter.api.Test;

/** A legacy "Symmetrically Encrypted Data" packet (no MDC) can be altered undetected: refused before decryption. */
class MissingIntegrityProtectionTest {

    @Test
    void messageWithoutMdcIsRefused() throws Exception {
        PGPEncryptedDataGenerator generator = new PGPEncryptedDataGenerator(
                new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(false)
                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())); // legacy OpenPGP CFB is BC-only
        generator.addMethod(new JcePublicKeyKeyEncryptionMethodGenerator(Fixtures.villeKey().encryptionKey()));
        ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
        try (OutputStream enc = generator.open(encrypted, new byte[4096]);
             OutputStream lit = new PGPLiteralDataGenerator().open(enc, PGPLiteralData.BINARY, "x.csv", new Date(), new byte[4096])) {
            lit.write(Fixtures.sampleCsv(1000));
        }

        PgpDecryptor decryptor = new PgpDecryptor(Fixtures.villeDecryptionKeys(), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        assertThatThrownBy(() -> decryptor.decryptAndVerify(new ByteArrayInputStream(encrypted.toByteArray()), plain, Fixtures.cafPublic()))
                .isInstanceOfSatisfying(PgpException.class, e -> assertThat(e.code()).isEqualTo(PgpException.Code.NOT_INTEGRITY_PROTECTED));
        assertThat(plain.size()).isZero();
    }
}
