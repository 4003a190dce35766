package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import fedgate.crypto.DetachedSigner;
import fedgate.crypto.PgpKeys;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: a forged receipt (e.g. the partner claiming it received other files) signed with another key, with or
 * without substituting that key for the CAF's.
 */
class ManifestSignatureFromOtherKeyTest {

    @TempDir
    Path tmp;

    @Test
    void manifestSignedByAnotherKeyIsRefused() throws Exception {
        Delivery d = packager().packageExtract(extractDir(tmp), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out"));
        String forged = Files.readString(d.manifestFile()).replace("\"frequency\" : 9", "\"frequency\" : 0");
        Files.writeString(d.manifestFile(), forged);
        Files.writeString(d.signatureFile(), new DetachedSigner(villeSigningKey()).sign(new ByteArrayInputStream(forged.getBytes(
                java.nio.charset.StandardCharsets.UTF_8))));

        ReceiptVerifier.Result r = verifier().verify(d.manifestFile());

        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(ReceiptVerifier.Code.SIGNATURE_INVALID);
            assertThat(p.message()).contains("n'a pas été faite par la clé attendue").contains(CAF_FPR);
        });
    }

    @Test
    void substitutedSignerKeyIsRefusedByThePinnedFingerprint() throws Exception {
        Delivery d = packager().packageExtract(extractDir(tmp), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out"));
        byte[] manifest = Files.readAllBytes(d.manifestFile());
        Files.writeString(d.signatureFile(), new DetachedSigner(villeSigningKey()).sign(new ByteArrayInputStream(manifest)));
        // the attacker also hands over its own public key as "the CAF's": the pinned fingerprint catches it
        ReceiptVerifier substituted = new ReceiptVerifier(PgpKeys.readPublicKeyRing(VILLE_PUB), CAF_FPR, CLOCK);

        ReceiptVerifier.Result r = substituted.verify(d.manifestFile());

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(ReceiptVerifier.Code.CAF_KEY_REFUSED);
            assertThat(p.message()).contains("ne correspond pas à l'empreinte enregistrée");
        });
    }
}
