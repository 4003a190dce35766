package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a partner does with the real gpg: decrypt and verify each file, verify the manifest, compare hashes. */
class DeliveryGpgInteropTest {

    @TempDir
    Path tmp;

    @Test
    void gpgDecryptsEveryFileAndVerifiesTheManifest() throws Exception {
        Path extract = extractDir(tmp);
        Delivery d = packager().packageExtract(extract, order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out"));

        try (GpgHome gpg = new GpgHome()) {
            gpg.importKey(CAF_PUB, null).importKey(VILLE_SEC, VILLE_PASS);

            GpgHome.Result verify = gpg.run(List.of("--verify", d.signatureFile().toString(), d.manifestFile().toString()));
            assertThat(verify.exitCode()).as(verify.stderr()).isZero();
            assertThat(verify.status()).contains("[GNUPG:] VALIDSIG " + CAF_FPR);

            for (DeliveryManifest.FileEntry f : d.manifest().files()) {
                Path plain = tmp.resolve("gpg-" + f.name());
                GpgHome.Result r = gpg.run(List.of("--pinentry-mode", "loopback", "--passphrase-file", VILLE_PASS.toString(),
                        "--output", plain.toString(), "--decrypt", d.directory().resolve(f.encryptedName()).toString()));
                assertThat(r.exitCode()).as(f.name() + ": " + r.stderr()).isZero();
                assertThat(r.status()).contains("[GNUPG:] DECRYPTION_INFO 2 9").contains("[GNUPG:] GOODMDC")
                        .contains("[GNUPG:] GOODSIG").contains(CAF_FPR);
                assertThat(r.status()).doesNotContain("BADSIG");
                assertThat(Files.readAllBytes(plain)).isEqualTo(Files.readAllBytes(extract.resolve(f.name())));
                assertThat(ReceiptVerifier.sha256(plain)).isEqualTo(f.plainSha256());
            }
        }
    }

    @Test
    void gpgRejectsTheManifestOnceEdited() throws Exception {
        Delivery d = packager().packageExtract(extractDir(tmp), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out"));
        Files.writeString(d.manifestFile(), Files.readString(d.manifestFile()).replace("\"interne\"", "\"externe\""));
        try (GpgHome gpg = new GpgHome()) {
            gpg.importKey(CAF_PUB, null);
            GpgHome.Result verify = gpg.run(List.of("--verify", d.signatureFile().toString(), d.manifestFile().toString()));
            assertThat(verify.exitCode()).isNotZero();
            assertThat(verify.status()).contains("[GNUPG:] BADSIG");
        }
    }
}
