package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attack: a delivered file is altered, truncated, removed or replaced in transit or in the outbox. */
class TamperedDeliveredFileTest {

    @TempDir
    Path tmp;
    Delivery d;

    @BeforeEach
    void deliver() throws Exception {
        d = packager().packageExtract(extractDir(tmp), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out"));
        assertThat(verifier().verify(d.manifestFile()).ok()).isTrue();
    }

    @Test
    void flippedByteFailsNamingTheFile() throws Exception {
        Path csv = d.directory().resolve("extract.csv.pgp");
        byte[] bytes = Files.readAllBytes(csv);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(csv, bytes);

        ReceiptVerifier.Result r = verifier().verify(d.manifestFile());

        assertThat(r.ok()).isFalse();
        assertThat(r.signatureValid()).isTrue();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(ReceiptVerifier.Code.HASH_MISMATCH);
            assertThat(p.file()).isEqualTo("extract.csv.pgp");
            assertThat(p.message()).startsWith("extract.csv.pgp : ").contains("altéré");
        });
        assertThat(r.filesChecked()).isEqualTo(3);
    }

    @Test
    void flippedByteAlsoFailsDecryptionWhenThePartnerKeyIsGiven() throws Exception {
        Path json = d.directory().resolve("extract.json.pgp");
        byte[] bytes = Files.readAllBytes(json);
        bytes[bytes.length - 30] ^= 0x40;
        Files.write(json, bytes);
        // even a verifier that skipped the hash would refuse it: decryption checks the MDC and the CAF signature
        ReceiptVerifier.Result r = verifier().withDecryption(villeDecryptionKeys()).verify(d.manifestFile());
        assertThat(r.problems()).extracting(ReceiptVerifier.Problem::file).containsExactly("extract.json.pgp");
        assertThat(r.decrypted()).isEqualTo(3);
    }

    @Test
    void truncatedFileFailsOnItsSize() throws Exception {
        Path csv = d.directory().resolve("extract.csv.pgp");
        byte[] bytes = Files.readAllBytes(csv);
        Files.write(csv, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        ReceiptVerifier.Result r = verifier().verify(d.manifestFile());
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(ReceiptVerifier.Code.SIZE_MISMATCH);
            assertThat(p.message()).contains("extract.csv.pgp").contains("incomplet");
        });
    }

    @Test
    void missingAndSwappedFilesFail() throws Exception {
        Files.delete(d.directory().resolve("disclosure-report.md.pgp"));
        // a valid message of the same delivery under another file's name
        Files.copy(d.directory().resolve("extract.json.pgp"), d.directory().resolve("disclosure-report.json.pgp"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ReceiptVerifier.Result r = verifier().verify(d.manifestFile());
        assertThat(r.problems()).extracting(ReceiptVerifier.Problem::code, ReceiptVerifier.Problem::file).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(ReceiptVerifier.Code.FILE_MISSING, "disclosure-report.md.pgp"),
                org.assertj.core.groups.Tuple.tuple(ReceiptVerifier.Code.SIZE_MISMATCH, "disclosure-report.json.pgp"));
    }
}
