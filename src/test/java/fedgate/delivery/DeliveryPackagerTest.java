package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import fedgate.fed.Feuillet1;
import fedgate.ledger.UsageTerms;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryPackagerTest {

    @TempDir
    Path tmp;

    @Test
    void packagesAnExtractForVilleRouen() throws Exception {
        Path extract = extractDir(tmp);
        DeliveryId id = DeliveryId.forRequest(REQUEST, 1);
        Path out = DeliveryPackager.directoryFor(tmp.resolve("deliveries"), "ville-rouen", id);

        Delivery d = packager().packageExtract(extract, order(id), out);

        assertThat(d.reused()).isFalse();
        assertThat(out).isEqualTo(tmp.resolve("deliveries/ville-rouen/DLV-FED-2027-000042-v1"));
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    ".delivery.lock", "disclosure-report.json.pgp", "disclosure-report.md.pgp", "extract.csv.pgp",
                    "extract.json.pgp", "manifest.json", "manifest.json.asc"); // no temporary file left
        }
        DeliveryManifest m = d.manifest();
        assertThat(m.deliveryId()).isEqualTo("DLV-FED-2027-000042-v1");
        assertThat(m.requestId()).isEqualTo(REQUEST);
        assertThat(m.partnerId()).isEqualTo("ville-rouen");
        assertThat(m.recipient().fingerprint()).isEqualTo(VILLE_FPR);
        assertThat(m.recipient().encryptionSubkeyFingerprint()).isEqualTo(VILLE_SUBKEY_FPR);
        assertThat(m.signerFingerprint()).isEqualTo(CAF_FPR);
        assertThat(m.channel()).isEqualTo(DeliveryChannel.SFTP);
        assertThat(m.createdAt()).isEqualTo(NOW);
        assertThat(m.files()).extracting(DeliveryManifest.FileEntry::name)
                .containsExactly("disclosure-report.json", "disclosure-report.md", "extract.csv", "extract.json");
        for (DeliveryManifest.FileEntry f : m.files()) {
            Path plain = extract.resolve(f.name());
            Path enc = out.resolve(f.encryptedName());
            assertThat(f.plainSha256()).isEqualTo(ReceiptVerifier.sha256(plain));
            assertThat(f.plainSize()).isEqualTo(Files.size(plain));
            assertThat(f.encryptedSha256()).isEqualTo(ReceiptVerifier.sha256(enc));
            assertThat(f.encryptedSize()).isEqualTo(Files.size(enc));
        }
        assertThat(m.disclosure().policyVersion()).isEqualTo("2026.1");
        assertThat(m.disclosure().counts()).containsEntry("frequency", 9L).containsEntry("published", 120L);
        assertThat(m.disclosure().suppressedCells()).isEqualTo(19);
        assertThat(m.disclosure().snapshotDate()).isEqualTo(LocalDate.parse("2026-12-31"));
        assertThat(m.usageTerms().sha256()).isEqualTo(UsageTerms.current().sha256());
        assertThat(m.usageTerms().text()).isEqualTo(UsageTerms.current().text());
        assertThat(m.usageTerms().sourceMention()).isEqualTo("Source : CAF de Rouen — 31/12/2026");
        assertThat(m.usageTerms().studyDueDate()).isEqualTo(LocalDate.parse("2027-12-31"));
        assertThat(d.filesInTransferOrder().get(d.filesInTransferOrder().size() - 1)).isEqualTo(out.resolve("manifest.json"));

        // the written manifest is the one returned, follows the schema, and round-trips
        byte[] json = Files.readAllBytes(d.manifestFile());
        assertThat(DeliveryManifest.parse(json)).isEqualTo(m);
        try (InputStream schema = DeliveryManifest.class.getResourceAsStream(DeliveryManifest.SCHEMA_RESOURCE)) {
            JsonNode node = new ObjectMapper().readTree(schema);
            assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node)
                    .validate(new ObjectMapper().readTree(json))).isEmpty();
        }

        ReceiptVerifier.Result r = verifier().withDecryption(villeDecryptionKeys()).verify(d.manifestFile());
        assertThat(r.problems()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.filesChecked()).isEqualTo(4);
        assertThat(r.decrypted()).isEqualTo(4);
    }

    @Test
    void adHocFilesHaveNoDisclosureSummaryAndTheDeliveryDateAsSource() throws Exception {
        Path note = Files.writeString(tmp.resolve("note-methodologique.txt"), "Note du Bureau d'Études\n");
        DeliveryId id = DeliveryId.adHoc(DeliveryId.newAdHocReference(NOW), 1);
        assertThat(id.value()).matches("DLV-ADHOC-20270601-[0-9a-f]{8}-v1");
        Delivery d = packager().packageFiles(List.of(note), new DeliveryPackager.Order(villeKey(), id, DeliveryChannel.EMAIL,
                terms()), tmp.resolve("out"));
        assertThat(d.manifest().requestId()).isNull();
        assertThat(d.manifest().disclosure()).isNull();
        assertThat(d.manifest().channel()).isEqualTo(DeliveryChannel.EMAIL);
        assertThat(d.manifest().usageTerms().sourceMention()).isEqualTo("Source : CAF de Rouen — 01/06/2027");
        assertThat(verifier().verify(d.manifestFile()).ok()).isTrue();
    }

    @Test
    void extractRefusedByTheAuditIsNeverPackaged() throws Exception {
        Path extract = extractDir(tmp, "refused");
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> packager().packageExtract(extract, order(DeliveryId.forRequest(REQUEST, 1)), out))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.code()).isEqualTo(DeliveryException.Code.EXTRACT_REFUSED);
                    assertThat(e.reason()).contains("secret statistique");
                });
        assertThat(out).doesNotExist();
    }

    @Test
    void extractWithoutDisclosureReportIsRefused() throws Exception {
        Path extract = extractDir(tmp);
        Files.delete(extract.resolve("disclosure-report.json"));
        assertThatThrownBy(() -> packager().packageExtract(extract, order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out")))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.MISSING_DISCLOSURE_REPORT));
    }

    @Test
    void linkInsideAnExtractIsRefused() throws Exception {
        Path extract = extractDir(tmp);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not for the partner");
        Files.createSymbolicLink(extract.resolve("annexe.txt"), secret);
        assertThatThrownBy(() -> packager().packageExtract(extract, order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out")))
                .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.NOT_A_FILE));
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void duplicateNamesAreRefused() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a")).resolve("data.csv");
        Path b = Files.createDirectories(tmp.resolve("b")).resolve("data.csv");
        Files.writeString(a, "1");
        Files.writeString(b, "2");
        assertThatThrownBy(() -> packager().packageFiles(List.of(a, b), order(DeliveryId.forRequest(REQUEST, 1)), tmp.resolve("out")))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.DUPLICATE_FILE_NAME));
    }

    @Test
    void termsForAnotherPartnerAreRefused() throws Exception {
        fedgate.partner.Partner v = ville();
        fedgate.partner.Partner other = new fedgate.partner.Partner("ville-elbeuf", "Ville d'Elbeuf", v.convention(), v.referent(),
                v.sftpPublicKey(), v.pgpFingerprint(), v.allowedChannels(), false, v.territories());
        UsageTerms.Applied terms = UsageTerms.current().forDelivery(other, "Étude", Feuillet1.Diffusion.INTERNE, LocalDate.parse("2027-12-31"));
        Path f = Files.writeString(tmp.resolve("x.csv"), "x");
        assertThatThrownBy(() -> packager().packageFiles(List.of(f), new DeliveryPackager.Order(villeKey(),
                DeliveryId.forRequest(REQUEST, 1), DeliveryChannel.SFTP, terms), tmp.resolve("out")))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.RECIPIENT_MISMATCH));
    }
}
