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

    /**
     * Edge sizes of our own packet framing: empty; literal data ending exactly on a literal part boundary (the last
     * part is then empty); exactly one literal part; exactly one SEIPD chunk of plaintext; several SEIPD chunks
     * (partial bodies of 2^20) — with and without the encryption thread.
     */
    @ParameterizedTest(name = "size={0} pipeline={1}")
    @CsvSource({
        "0, true",
        "262127, true",   // LITERAL_PART - (6 + "extrait.csv".length()): the literal packet ends with an empty part
        "262144, true",   // LITERAL_PART
        "1048576, true",  // SeipdOutput.CHUNK
        "5242883, true",  // 5 MiB + 3: several partial bodies
        "5242883, false",
    })
    void gpgReadsEveryFramingEdge(int size, boolean pipeline) throws Exception {
        byte[] plain = Fixtures.sampleCsv(size);
        Path encrypted = dir.resolve("extrait.csv.gpg");
        EncryptionResult result;
        try (OutputStream out = Files.newOutputStream(encrypted)) {
            result = new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey()).withPipeline(pipeline)
                    .signAndEncrypt(new ByteArrayInputStream(plain), out, "extrait.csv", System.currentTimeMillis());
        }
        byte[] message = Files.readAllBytes(encrypted);
        assertThat(result.encryptedBytes()).isEqualTo(message.length);
        assertThat(result.encryptedSha256()).isEqualTo(RoundTripTest.sha256(message));
        assertThat(result.plainSha256()).isEqualTo(RoundTripTest.sha256(plain));
        List<Long> parts = seipdParts(message);
        long body = parts.stream().mapToLong(Long::longValue).sum();
        assertThat(parts).hasSize((int) ((body - 1) / SeipdOutput.CHUNK) + 1); // 2^20-byte partial bodies, then the rest
        assertThat(parts.subList(0, parts.size() - 1)).allMatch(n -> n == SeipdOutput.CHUNK);
        if (size > 5 << 20) {
            assertThat(parts).hasSizeGreaterThan(5);
        }
        Path decrypted = dir.resolve("extrait.csv");

        Gpg.Result r = ville.runWithPass(Fixtures.VILLE_PASS,
                List.of("--output", decrypted.toString(), "--decrypt", encrypted.toString()));

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.status()).contains("[GNUPG:] DECRYPTION_INFO 2 9")
                .contains("[GNUPG:] GOODMDC")
                .contains("[GNUPG:] VALIDSIG " + Fixtures.CAF_FPR)
                .doesNotContain("BADSIG")
                .doesNotContain("DECRYPTION_FAILED");
        assertThat(Files.readAllBytes(decrypted)).isEqualTo(plain);
    }

    /** The last SEIPD buffer exactly full: two bodies of 2^20, the second one with a definite (5-octet) length. */
    @Test
    void gpgReadsALastBufferThatIsExactlyFull() throws Exception {
        int estimate = 2 * SeipdOutput.CHUNK - 2000;
        for (int attempt = 0; attempt < 64; attempt++) {
            // first the estimate corrected once by the framing overhead it shows, then sizes around it: the
            // signature's and the packet headers' lengths may move by a few bytes with the size and the time
            int offset = attempt < 2 ? 0 : (attempt % 2 == 0 ? attempt / 2 : -attempt / 2);
            int size = estimate + offset;
            byte[] plain = Fixtures.sampleCsv(size);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PgpEncryptor(Fixtures.cafSigningKey(), Fixtures.villeKey())
                    .signAndEncrypt(new ByteArrayInputStream(plain), out, "extrait.csv", System.currentTimeMillis());
            byte[] message = out.toByteArray();
            List<Long> parts = seipdParts(message);
            long body = parts.stream().mapToLong(Long::longValue).sum();
            if (body != 2L * SeipdOutput.CHUNK) {
                if (attempt == 0) {
                    estimate += (int) (2L * SeipdOutput.CHUNK - body);
                }
                continue;
            }
            assertThat(parts).containsExactly((long) SeipdOutput.CHUNK, (long) SeipdOutput.CHUNK);
            Path encrypted = Files.write(dir.resolve("extrait.csv.gpg"), message);
            Path decrypted = dir.resolve("extrait.csv");

            Gpg.Result r = ville.runWithPass(Fixtures.VILLE_PASS,
                    List.of("--output", decrypted.toString(), "--decrypt", encrypted.toString()));

            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.status()).contains("[GNUPG:] GOODMDC").contains("[GNUPG:] VALIDSIG " + Fixtures.CAF_FPR);
            assertThat(Files.readAllBytes(decrypted)).isEqualTo(plain);
            return;
        }
        throw new AssertionError("could not size the message to exactly two SEIPD buffers");
    }

    /** Body lengths of the SEIPD packet that follows the PKESK: one per partial body, the last definite. */
    private static List<Long> seipdParts(byte[] m) {
        int p = 0;
        assertThat(m[p++] & 0xFF).as("PKESK, new format").isEqualTo(0xC1);
        int[] len = new int[1];
        p = definiteLength(m, p, len);
        p += len[0];
        assertThat(m[p++] & 0xFF).as("SEIPD, new format").isEqualTo(0xD2);
        List<Long> parts = new java.util.ArrayList<>();
        while (true) {
            int first = m[p] & 0xFF;
            if (first >= 224 && first < 255) {
                long n = 1L << (first & 0x1F);
                parts.add(n);
                p += 1 + n;
            } else {
                p = definiteLength(m, p, len);
                parts.add((long) len[0]);
                p += len[0];
                assertThat(p).as("message ends with the SEIPD packet").isEqualTo(m.length);
                return parts;
            }
        }
    }

    private static int definiteLength(byte[] m, int p, int[] len) {
        int first = m[p++] & 0xFF;
        if (first < 192) {
            len[0] = first;
        } else if (first < 224) {
            len[0] = ((first - 192) << 8) + (m[p++] & 0xFF) + 192;
        } else {
            assertThat(first).as("definite length").isEqualTo(255);
            len[0] = ((m[p] & 0xFF) << 24) | ((m[p + 1] & 0xFF) << 16) | ((m[p + 2] & 0xFF) << 8) | (m[p + 3] & 0xFF);
            p += 4;
        }
        return p;
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
