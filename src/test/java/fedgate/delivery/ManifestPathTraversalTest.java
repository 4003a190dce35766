package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fedgate.crypto.DetachedSigner;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: file names in a manifest (or of the files to send) that climb out of the delivery directory. Even a
 * manifest validly signed by the CAF (a bug, a compromised signer) must never make the verifier open a file
 * outside the directory; the packager never writes one.
 */
class ManifestPathTraversalTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "../secret.txt", "/etc/passwd", "sub/extract.csv", "..\\secret.txt",
            "..", ".hidden", "-rf", "a..b", "extract.csv\u0000.pgp", "extract.csv\n", "données.csv", "a b.csv", ""})
    void unsafeNamesAreRefused(String name) {
        assertThat(DeliveryFileName.isSafe(name)).isFalse();
        assertThatThrownBy(() -> DeliveryFileName.check(name)).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.INVALID_FILE_NAME));
    }

    @Test
    void safeNamesAreAccepted() {
        for (String n : List.of("extract.csv", "disclosure-report.md", "FED_2027_000042.v2.json", "a")) {
            assertThat(DeliveryFileName.isSafe(n)).as(n).isTrue();
        }
        assertThat(DeliveryFileName.isSafe("x".repeat(201))).isFalse();
    }

    @Test
    void validlySignedManifestListingATraversalIsRefusedWithoutOpeningTheFile() throws Exception {
        Path delivery = Files.createDirectories(tmp.resolve("a/b/delivery"));
        // the target exists with exactly the listed size and hash: only the name check stands in the way
        Path outside = Files.writeString(tmp.resolve("a/secret.pgp"), "not part of any delivery");
        String hash = ReceiptVerifier.sha256(outside);
        for (String name : List.of("../secret", "../../a/secret", "/etc/passwd")) {
            String json = manifestJson(name, hash, Files.size(outside));
            Path manifest = Files.writeString(delivery.resolve("manifest.json"), json);
            Files.writeString(delivery.resolve("manifest.json.asc"),
                    new DetachedSigner(cafSigningKey()).sign(new ByteArrayInputStream(Files.readAllBytes(manifest))));

            ReceiptVerifier.Result r = verifier().verify(manifest);

            assertThat(r.signatureValid()).as(name).isTrue();
            assertThat(r.ok()).as(name).isFalse();
            assertThat(r.filesChecked()).isZero();
            assertThat(r.problems()).singleElement().satisfies(p -> {
                assertThat(p.code()).isEqualTo(ReceiptVerifier.Code.MANIFEST_INVALID);
                assertThat(p.message()).startsWith("Manifeste de livraison refusé");
            });
        }
        // the same manifest with a bare name checks out: the refusal above is the name, nothing else
        Files.copy(outside, delivery.resolve("secret.pgp"));
        String json = manifestJson("secret", hash, Files.size(outside));
        Path manifest = Files.writeString(delivery.resolve("manifest.json"), json);
        Files.writeString(delivery.resolve("manifest.json.asc"),
                new DetachedSigner(cafSigningKey()).sign(new ByteArrayInputStream(Files.readAllBytes(manifest))));
        assertThat(verifier().verify(manifest).problems()).isEmpty();
    }

    @Test
    void parserRefusesTraversalEvenWhenTheSchemaIsBypassed() throws Exception {
        String json = manifestJson("..pgp", "0".repeat(64), 1).replace("\"..pgp\"", "\"x..y\"").replace("\"..pgp.pgp\"", "\"x..y.pgp\"");
        assertThatThrownBy(() -> DeliveryManifest.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.INVALID_MANIFEST));
    }

    @Test
    void packagerNeverDerivesAnOutputNameFromAnUnsafeSourceName() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("src"));
        Path dotdot = dir.resolve("..");  // file name ".."
        Path spaced = Files.writeString(dir.resolve("rapport final.csv"), "x");
        Path hidden = Files.writeString(dir.resolve(".bashrc"), "x");
        for (Path p : List.of(dotdot, spaced, hidden)) {
            assertThatThrownBy(() -> packager().packageFiles(List.of(p), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out")))
                    .isInstanceOfSatisfying(DeliveryException.class,
                            e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.INVALID_FILE_NAME));
        }
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    /** A manifest as the packager would write it, listing {@code name + ".pgp"} (encrypted name) untouched. */
    private static String manifestJson(String name, String encryptedSha, long encryptedSize) throws Exception {
        DeliveryManifest m = new DeliveryManifest("DLV-FED-2027-000042-v1", REQUEST, 1, "ville-rouen",
                new DeliveryManifest.Recipient(VILLE_FPR, VILLE_SUBKEY_FPR), DeliveryChannel.SFTP, NOW,
                new DeliveryManifest.Encryption("none", false), CAF_FPR,
                List.of(new DeliveryManifest.FileEntry(name, "1".repeat(64), 10, name + ".pgp", encryptedSha, encryptedSize)),
                null, terms().withSourceMention("Source : CAF de Rouen — 31/12/2026"));
        return new String(m.toJson(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
