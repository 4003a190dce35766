package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A retry never makes a second delivery of the same version; new content needs a new version. */
class DeliveryIdempotenceTest {

    @TempDir
    Path tmp;

    @Test
    void sameRequestAndVersionGiveTheSameIdAndANewVersionANewOne() throws Exception {
        DeliveryId a = DeliveryId.forRequest(REQUEST, 1);
        DeliveryId b = DeliveryId.forRequest(REQUEST, 1);
        assertThat(a.value()).isEqualTo(b.value()).isEqualTo("DLV-FED-2027-000042-v1");
        assertThat(DeliveryId.forRequest(REQUEST, 2).value()).isEqualTo("DLV-FED-2027-000042-v2").isEqualTo(a.next().value());
        assertThat(DeliveryId.parse("DLV-FED-2027-000042-v2")).isEqualTo(a.next());
        assertThat(DeliveryId.adHoc("ADHOC-20270601-0a1b2c3d", 3).value()).isEqualTo("DLV-ADHOC-20270601-0a1b2c3d-v3");
        for (String bad : new String[] {"FED-2027-42", "../FED-2027-000042", "FED-2027-000042/..", "", null}) {
            assertThatThrownBy(() -> DeliveryId.forRequest(bad, 1)).isInstanceOf(DeliveryException.class);
        }
        assertThatThrownBy(() -> DeliveryId.forRequest(REQUEST, 0)).isInstanceOf(DeliveryException.class);
        assertThatThrownBy(() -> DeliveryId.parse("DLV-FED-2027-000042-v1/../x")).isInstanceOf(DeliveryException.class);
    }

    @Test
    void retryOfTheSameVersionReusesTheFirstDeliveryByteForByte() throws Exception {
        Path extract = extractDir(tmp);
        DeliveryId id = DeliveryId.forRequest(REQUEST, 1);
        Path root = tmp.resolve("deliveries");
        Delivery first = packager().packageExtract(extract, order(id), DeliveryPackager.directoryFor(root, "ville-rouen", id));
        byte[] manifest = Files.readAllBytes(first.manifestFile());
        byte[] csv = Files.readAllBytes(first.directory().resolve("extract.csv.pgp"));

        Delivery retry = packager().packageExtract(extract, order(id), DeliveryPackager.directoryFor(root, "ville-rouen", id));

        assertThat(retry.reused()).isTrue();
        assertThat(retry.manifest()).isEqualTo(first.manifest());
        assertThat(Files.readAllBytes(retry.manifestFile())).isEqualTo(manifest);
        assertThat(Files.readAllBytes(retry.directory().resolve("extract.csv.pgp"))).isEqualTo(csv);

        DeliveryId v2 = id.next();
        Delivery second = packager().packageExtract(extract, order(v2), DeliveryPackager.directoryFor(root, "ville-rouen", v2));
        assertThat(second.reused()).isFalse();
        assertThat(second.directory()).isNotEqualTo(first.directory());
        assertThat(second.manifest().deliveryId()).isEqualTo("DLV-FED-2027-000042-v2");
    }

    @Test
    void interruptedAttemptIsCleanedUpAndCompleted() throws Exception {
        Path extract = extractDir(tmp);
        DeliveryId id = DeliveryId.forRequest(REQUEST, 1);
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        // what a crash in the middle leaves: one finished file, one partial file, no manifest
        Files.writeString(out.resolve("extract.csv.pgp"), "half a delivery");
        Files.writeString(out.resolve(".extract.json.pgp.part"), "partial");

        Delivery d = packager().packageExtract(extract, order(id), out);

        assertThat(d.reused()).isFalse();
        assertThat(out.resolve(".extract.json.pgp.part")).doesNotExist();
        assertThat(verifier().verify(d.manifestFile()).ok()).isTrue();
    }

    @Test
    void sameVersionWithOtherContentIsRefused() throws Exception {
        Path extract = extractDir(tmp);
        DeliveryId id = DeliveryId.forRequest(REQUEST, 1);
        Path out = tmp.resolve("out");
        packager().packageExtract(extract, order(id), out);
        Files.writeString(extract.resolve("extract.csv"), "# Source : CAF de Rouen — 31/12/2026\nother;content\n");
        byte[] before = Files.readAllBytes(out.resolve("manifest.json"));

        assertThatThrownBy(() -> packager().packageExtract(extract, order(id), out))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.code()).isEqualTo(DeliveryException.Code.CONFLICTING_DELIVERY);
                    assertThat(e.reason()).contains("nouvelle version");
                });
        // the first delivery is left untouched
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(before);
        assertThat(verifier().verify(out.resolve("manifest.json")).ok()).isTrue();
    }

    @Test
    void directoryOfAnotherDeliveryOrWithForeignFilesIsRefused() throws Exception {
        Path extract = extractDir(tmp);
        Path out = tmp.resolve("out");
        packager().packageExtract(extract, order(DeliveryId.forRequest(REQUEST, 1)), out);
        assertThatThrownBy(() -> packager().packageExtract(extract, order(DeliveryId.forRequest(REQUEST, 2)), out))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.OTHER_DELIVERY_IN_OUTPUT));

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("important.doc"), "keep me");
        Path f = Files.writeString(tmp.resolve("a.csv"), "a");
        assertThatThrownBy(() -> packager().packageFiles(List.of(f), order(DeliveryId.forRequest(REQUEST, 1)), foreign))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.OUTPUT_NOT_EMPTY));
        assertThat(foreign.resolve("important.doc")).hasContent("keep me");
    }

    @Test
    void damagedExistingDeliveryIsNotSilentlyReplaced() throws Exception {
        Path extract = extractDir(tmp);
        DeliveryId id = DeliveryId.forRequest(REQUEST, 1);
        Path out = tmp.resolve("out");
        packager().packageExtract(extract, order(id), out);
        Files.writeString(out.resolve("extract.json.pgp"), "garbage");
        assertThatThrownBy(() -> packager().packageExtract(extract, order(id), out))
                .isInstanceOfSatisfying(DeliveryException.class,
                        e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.EXISTING_DELIVERY_DAMAGED));
    }
}
