package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attack: the manifest is edited (to cover a replaced file, or to change the terms); its signature must fail. */
class TamperedManifestTest {

    @TempDir
    Path tmp;
    Delivery d;

    @BeforeEach
    void deliver() throws Exception {
        d = packager().packageExtract(extractDir(tmp), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out"));
    }

    @Test
    void editedSizeBreaksTheSignatureAndNothingElseIsTrusted() throws Exception {
        DeliveryManifest.FileEntry csv = d.manifest().file("extract.csv");
        // the attacker truncates the file and edits the manifest to match
        Path enc = d.directory().resolve("extract.csv.pgp");
        Files.write(enc, java.util.Arrays.copyOf(Files.readAllBytes(enc), (int) csv.encryptedSize() - 1));
        String json = Files.readString(d.manifestFile());
        String edited = json.replace("\"encryptedSize\" : " + csv.encryptedSize(), "\"encryptedSize\" : " + (csv.encryptedSize() - 1));
        assertThat(edited).isNotEqualTo(json);
        Files.writeString(d.manifestFile(), edited);

        ReceiptVerifier.Result r = verifier().verify(d.manifestFile());

        assertThat(r.ok()).isFalse();
        assertThat(r.signatureValid()).isFalse();
        assertThat(r.manifest()).isNull();
        assertThat(r.filesChecked()).isZero();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(ReceiptVerifier.Code.SIGNATURE_INVALID);
            assertThat(p.file()).isNull();
            assertThat(p.message()).contains("altérées");
        });
    }

    @Test
    void editedUsageTermsBreakTheSignature() throws Exception {
        String json = Files.readString(d.manifestFile());
        Files.writeString(d.manifestFile(), json.replace("\"diffusion\" : \"interne\"", "\"diffusion\" : \"externe\""));
        assertThat(verifier().verify(d.manifestFile()).problems()).extracting(ReceiptVerifier.Problem::code)
                .containsExactly(ReceiptVerifier.Code.SIGNATURE_INVALID);
    }

    @Test
    void missingOrEmptySignatureFails() throws Exception {
        Files.writeString(d.signatureFile(), "");
        assertThat(verifier().verify(d.manifestFile()).problems()).extracting(ReceiptVerifier.Problem::code)
                .containsExactly(ReceiptVerifier.Code.SIGNATURE_INVALID);
        Files.delete(d.signatureFile());
        assertThat(verifier().verify(d.manifestFile()).problems()).extracting(ReceiptVerifier.Problem::code)
                .containsExactly(ReceiptVerifier.Code.SIGNATURE_MISSING);
    }
}
