package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests signed by the real gpg, verified against the partner's pinned key (issue 7, signed requests). */
class SignedDataTest {

    static Gpg gpg; // the partner's referent and, to sign as "someone else", the CAF
    static final Clock NOW = Clock.systemUTC();
    static final byte[] FED = "{\"study\":\"Étude signée\"}\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @BeforeAll
    static void keyring() throws Exception {
        gpg = new Gpg().importKey(Fixtures.VILLE_SEC, Fixtures.VILLE_PASS).importKey(Fixtures.CAF_SEC, Fixtures.CAF_PASS);
    }

    @AfterAll
    static void cleanup() throws Exception {
        gpg.close();
    }

    private byte[] gpg(String signer, byte[] data, String... op) throws Exception {
        Path in = dir.resolve("in-" + System.nanoTime());
        Path out = dir.resolve("out-" + System.nanoTime());
        Files.write(in, data);
        List<String> args = new java.util.ArrayList<>(List.of("--local-user", signer, "--output", out.toString()));
        args.addAll(List.of(op));
        args.add(in.toString());
        Gpg.Result r = gpg.runWithPass(signer.equals(Fixtures.VILLE_FPR) ? Fixtures.VILLE_PASS : Fixtures.CAF_PASS, args);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return Files.readAllBytes(out);
    }

    @Test
    void inlineSignedByThePinnedKeyVerifiesArmoredBinaryAndUncompressed() throws Exception {
        for (String[] op : List.of(new String[]{"--armor", "--sign"}, new String[]{"--sign"},
                new String[]{"--compress-algo", "none", "--sign"})) {
            byte[] signed = gpg(Fixtures.VILLE_FPR, FED, op);
            assertThat(SignedData.isOpenPgpMessage(signed)).isTrue();
            SignedData.Verification v = SignedData.inline(signed, Fixtures.villePublic(), NOW, 1 << 20);
            assertThat(v.valid()).as(String.join(" ", op) + ": " + v.reason()).isTrue();
            assertThat(v.signerFingerprint()).isEqualTo(Fixtures.VILLE_FPR);
            assertThat(v.content()).isEqualTo(FED);
        }
    }

    @Test
    void inlineSignedBySomeoneElseIsRefused() throws Exception {
        SignedData.Verification v = SignedData.inline(gpg(Fixtures.CAF_FPR, FED, "--armor", "--sign"),
                Fixtures.villePublic(), NOW, 1 << 20);
        assertThat(v.valid()).isFalse();
        assertThat(v.reason()).contains("pas été faite avec la clé OpenPGP enregistrée", Fixtures.VILLE_FPR);
        assertThat(v.content()).isEqualTo(FED);
    }

    @Test
    void alteredInlineSignedMessageIsRefused() throws Exception {
        byte[] signed = gpg(Fixtures.VILLE_FPR, FED, "--compress-algo", "none", "--sign");
        int at = indexOf(signed, "signée".getBytes(StandardCharsets.UTF_8));
        signed[at] = 'S';
        SignedData.Verification v = SignedData.inline(signed, Fixtures.villePublic(), NOW, 1 << 20);
        assertThat(v.valid()).isFalse();
        assertThat(v.reason()).contains("altérées");
    }

    @Test
    void compressedBombIsCutAtTheMaximum() throws Exception {
        byte[] signed = gpg(Fixtures.VILLE_FPR, new byte[8 << 20], "--sign");
        assertThat(signed.length).isLessThan(100_000);
        SignedData.Verification v = SignedData.inline(signed, Fixtures.villePublic(), NOW, 1 << 20);
        assertThat(v.valid()).isFalse();
        assertThat(v.content()).isNull();
        assertThat(v.reason()).contains("dépassent la taille maximale");
    }

    @Test
    void expiredKeyIsRefused() throws Exception {
        byte[] signed = gpg(Fixtures.VILLE_FPR, FED, "--armor", "--sign");
        Clock later = Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC);
        SignedData.Verification v = SignedData.inline(signed, Fixtures.villePublic(), later, 1 << 20);
        assertThat(v.valid()).isFalse();
        assertThat(v.reason()).contains("expiré");
    }

    @Test
    void detachedBinaryAndTextModeSignaturesVerify() throws Exception {
        byte[] crlf = "Organisme demandeur : Ville de Rouen\r\nÉtude : test\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] binary = gpg(Fixtures.VILLE_FPR, crlf, "--armor", "--detach-sign");
        assertThat(SignedData.detached(crlf, binary, Fixtures.villePublic(), NOW).valid()).isTrue();
        byte[] text = gpg(Fixtures.VILLE_FPR, crlf, "--armor", "--textmode", "--detach-sign");
        assertThat(SignedData.detached(crlf, text, Fixtures.villePublic(), NOW).valid()).isTrue();
        byte[] tampered = crlf.clone();
        tampered[0] = 'o';
        assertThat(SignedData.detached(tampered, text, Fixtures.villePublic(), NOW).reason()).contains("altérées");
        byte[] foreign = gpg(Fixtures.CAF_FPR, crlf, "--armor", "--detach-sign");
        assertThat(SignedData.detached(crlf, foreign, Fixtures.villePublic(), NOW).reason())
                .contains("pas été faite avec la clé OpenPGP enregistrée");
        assertThat(SignedData.detached(crlf, "pas une signature".getBytes(StandardCharsets.US_ASCII),
                Fixtures.villePublic(), NOW).valid()).isFalse();
    }

    @Test
    void onlyOpenPgpMessagesAreTakenForSignedOnes() throws Exception {
        assertThat(SignedData.isOpenPgpMessage("{\"a\":1}".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(SignedData.isOpenPgpMessage("%PDF-1.7".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(SignedData.isOpenPgpMessage(new byte[0])).isFalse();
        assertThat(SignedData.isOpenPgpMessage(gpg(Fixtures.VILLE_FPR, FED, "--armor", "--detach-sign"))).isFalse();
        assertThat(SignedData.isDetachedSignature(gpg(Fixtures.VILLE_FPR, FED, "--armor", "--detach-sign"))).isTrue();
        assertThat(SignedData.isDetachedSignature(gpg(Fixtures.VILLE_FPR, FED, "--detach-sign"))).isTrue();
        assertThat(SignedData.isDetachedSignature(FED)).isFalse();
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
