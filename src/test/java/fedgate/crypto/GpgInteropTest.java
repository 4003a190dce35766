package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both ways against GnuPG 2.2: the partner's gpg reads our deliveries, we read gpg's messages. */
class GpgInteropTest {

    static Gpg ville; // the partner's side: Ville's secret key, CAF's public key
    static Gpg caf;   // a CAF-side gpg: CAF's secret key, Ville's public key

    @TempDir
    Path dir;

    @BeforeAll
    static void keyrings() throws Exception {
        ville = new Gpg().importKey(Fixtures.VILLE_SEC, Fixtures.VILLE_PASS).importKey(Fixtures.CAF_PUB, null);
        caf = new Gpg().importKey(Fixtures.CAF_SEC, Fixtures.CAF_PASS).importKey(Fixtures.VILLE_PUB, null);
    }

    @AfterAll
    static void cleanup() throws Exception {
        ville.close();
        caf.close();
    }

    @ParameterizedTest(name = "compression={0} armor={1}")
    @CsvSource({"NONE, false", "NONE, true", "ZLIB, false"})
    void gpgDecryptsAndVerifiesOurOutput(PgpEncryptor.Compression compression, boolean armor) throws Exception {
        byte[] plain = Fixtures.sampleCsv(200_000);
        Path encrypted = dir.resolve("extrait.csv.gpg");
        try (OutputStream out = Files.newOutputStream(encrypted)) {
            new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey()).withCompression(compression).withArmor(armor)
                    .signAndEncrypt(new ByteArrayInputStream(plain), out, "extrait.csv", System.currentTimeMillis());
        }
        Path decrypted = dir.resolve("extrait.csv");

        Gpg.Result r = ville.runWithPass(Fixtures.VILLE_PASS,
                List.of("--output", decrypted.toString(), "--decrypt", encrypted.toString()));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.status()).contains("[GNUPG:] DECRYPTION_INFO 2 9") // MDC SHA-1 (2), AES-256 (9)
                .contains("[GNUPG:] GOODMDC")
                .contains("[GNUPG:] GOODSIG 4A44F6A0F6937519")
                .contains("[GNUPG:] VALIDSIG " + Fixtures.CAF_FPR)
                .doesNotContain("BADSIG")
                .doesNotContain("DECRYPTION_FAILED");
        assertThat(r.status()).containsPattern("VALIDSIG " + Fixtures.CAF_FPR + " \\S+ \\d+ 0 4 0 1 8 00 " + Fixtures.CAF_FPR);
        assertThat(Files.readAllBytes(decrypted)).isEqualTo(plain);
    }

    @Test
    void weDecryptAndVerifyGpgSignEncrypt() throws Exception {
        byte[] plain = Fixtures.sampleCsv(150_000);
        Path in = Fixtures.write(dir, "demande.csv", plain);
        Path encrypted = dir.resolve("demande.csv.gpg");
        Gpg.Result r = caf.runWithPass(Fixtures.CAF_PASS, List.of("--sign", "--encrypt", "--cipher-algo", "AES256",
                "--digest-algo", "SHA256", "-u", Fixtures.CAF_FPR, "-r", Fixtures.VILLE_FPR,
                "--output", encrypted.toString(), in.toString()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DecryptionResult result;
        try (InputStream cipher = Files.newInputStream(encrypted)) {
            result = new PgpDecryptor(Fixtures.villeDecryptionKeys(), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC))
                    .decryptAndVerify(cipher, out, Fixtures.cafPublic());
        }

        assertThat(out.toByteArray()).isEqualTo(plain);
        assertThat(result.signerFingerprint()).isEqualTo(Fixtures.CAF_FPR);
        assertThat(result.symmetricAlgorithm()).isEqualTo(9);
        assertThat(result.fileName()).isEqualTo("demande.csv");
        assertThat(result.plainSha256()).isEqualTo(RoundTripTest.sha256(plain));
    }

    @Test
    void gpgVerifiesOurDetachedSignature() throws Exception {
        byte[] manifest = "{\"request\":\"FED-2026-000123\",\"files\":[]}\n".getBytes();
        Path data = Fixtures.write(dir, "manifest.json", manifest);
        String signature = new DetachedSigner(Fixtures.cafSigningKey()).sign(new ByteArrayInputStream(manifest));
        assertThat(signature).startsWith("-----BEGIN PGP SIGNATURE-----");
        Path sig = Files.writeString(dir.resolve("manifest.json.asc"), signature);

        Gpg.Result good = ville.run(List.of("--verify", sig.toString(), data.toString()));
        assertThat(good.exitCode()).as(good.stderr()).isZero();
        assertThat(good.status()).contains("[GNUPG:] VALIDSIG " + Fixtures.CAF_FPR).contains("[GNUPG:] GOODSIG");

        Files.write(data, "{\"request\":\"FED-2026-000124\",\"files\":[]}\n".getBytes());
        Gpg.Result bad = ville.run(List.of("--verify", sig.toString(), data.toString()));
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.status()).contains("[GNUPG:] BADSIG");
    }

    @Test
    void weVerifyGpgDetachedSignature() throws Exception {
        byte[] ledgerHead = "ledger-head 42 5f1c...\n".getBytes();
        Path data = Fixtures.write(dir, "ledger-head.txt", ledgerHead);
        Path sig = dir.resolve("ledger-head.txt.asc");
        Gpg.Result r = caf.runWithPass(Fixtures.CAF_PASS, List.of("--armor", "--detach-sign", "--digest-algo", "SHA256",
                "-u", Fixtures.CAF_FPR, "--output", sig.toString(), data.toString()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        Clock clock = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);

        DetachedSigner.Verification ok;
        try (InputStream s = Files.newInputStream(sig)) {
            ok = DetachedSigner.verify(new ByteArrayInputStream(ledgerHead), s, Fixtures.cafPublic(), clock);
        }
        assertThat(ok.valid()).as(ok.reason()).isTrue();
        assertThat(ok.signerFingerprint()).isEqualTo(Fixtures.CAF_FPR);

        DetachedSigner.Verification wrongSigner;
        try (InputStream s = Files.newInputStream(sig)) {
            wrongSigner = DetachedSigner.verify(new ByteArrayInputStream(ledgerHead), s, Fixtures.villePublic(), clock);
        }
        assertThat(wrongSigner.valid()).isFalse();
        assertThat(wrongSigner.reason()).contains("pas été faite par la clé attendue");
    }
}
