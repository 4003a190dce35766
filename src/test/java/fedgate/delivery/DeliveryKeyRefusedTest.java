package fedgate.delivery;

import static fedgate.delivery.DeliveryFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fedgate.crypto.PartnerKey;
import fedgate.crypto.PgpKeys;
import fedgate.partner.Partner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An expired or mismatched partner key is refused with crypto's French reason; nothing is written. */
class DeliveryKeyRefusedTest {

    @TempDir
    Path tmp;

    @Test
    void expiredPartnerKeyIsRefused() throws Exception {
        assertThatThrownBy(() -> DeliveryPackager.recipientKey(ville(), PgpKeys.readPublicKeyRing(VILLE_PUB),
                Instant.parse("2029-12-01T00:00:00Z")))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.code()).isEqualTo(DeliveryException.Code.KEY_REFUSED);
                    assertThat(e.reason()).startsWith("La clé OpenPGP du partenaire ville-rouen a expiré le 27 novembre 2029");
                });
    }

    @Test
    void keyThatExpiresBetweenCheckAndPackagingIsRefusedAtPackaging() throws Exception {
        PartnerKey checkedEarlier = villeKey(); // valid in 2027
        Path f = Files.writeString(tmp.resolve("extract.csv"), "x");
        DeliveryPackager late = new DeliveryPackager(cafSigningKey(), Clock.fixed(Instant.parse("2029-12-01T00:00:00Z"), ZoneOffset.UTC));
        assertThatThrownBy(() -> late.packageFiles(List.of(f), new DeliveryPackager.Order(checkedEarlier,
                DeliveryId.forRequest(REQUEST, 1), DeliveryChannel.SFTP, terms()), tmp.resolve("out")))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.code()).isEqualTo(DeliveryException.Code.KEY_REFUSED);
                    assertThat(e.reason()).contains("a expiré");
                });
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void keyNotMatchingTheRegistryFingerprintIsRefused() throws Exception {
        Partner v = ville();
        // the registry pins the Ville's key; someone puts the CAF's (or any other) public key in its place
        assertThatThrownBy(() -> DeliveryPackager.recipientKey(v, PgpKeys.readPublicKeyRing(CAF_PUB), NOW))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.code()).isEqualTo(DeliveryException.Code.KEY_REFUSED);
                    assertThat(e.reason()).isEqualTo("L'empreinte de la clé OpenPGP du partenaire ville-rouen (" + CAF_FPR
                            + ") ne correspond pas à l'empreinte enregistrée (" + VILLE_FPR + ")");
                });
    }
}
