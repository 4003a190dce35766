package fedgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Iterator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.junit.jupiter.api.Test;

/** An attacker appends their own encryption subkey to the partner's (pinned) key file. */
class UnboundSubkeyTest {

    @Test
    void subkeyNotBoundByThePinnedPrimaryIsNeverUsed() throws Exception {
        try (Gpg gpg = new Gpg()) {
            GeneratedKeys.Generated attacker = GeneratedKeys.generate(gpg, "Mallory <m@evil.example>", null, "1y");
            PGPPublicKey attackerSubkey = encryptionSubkey(attacker.ring());
            PGPPublicKeyRing villeRing = Fixtures.villePublic();
            Instant now = Instant.now().plusSeconds(60);

            PGPPublicKeyRing withExtra = PGPPublicKeyRing.insertPublicKey(villeRing, attackerSubkey);
            PartnerKey chosen = PgpKeys.partnerKey("ville-rouen", withExtra, Fixtures.VILLE_FPR, now);
            assertThat(chosen.encryptionKey().getKeyID()).isNotEqualTo(attackerSubkey.getKeyID());
            assertThat(chosen.encryptionKeyFingerprint()).isEqualTo("54543E8018AEBFD50B3E8D9E13EA35FE6A130ABC");

            // and with the real subkey removed, only the forged one is left: refused
            PGPPublicKeyRing onlyForged = PGPPublicKeyRing.removePublicKey(withExtra, encryptionSubkey(villeRing));
            assertThatThrownBy(() -> PgpKeys.partnerKey("ville-rouen", onlyForged, Fixtures.VILLE_FPR, now))
                    .isInstanceOfSatisfying(PgpException.class, e -> {
                        assertThat(e.code()).isEqualTo(PgpException.Code.NO_ENCRYPTION_KEY);
                        assertThat(e.reason()).contains("aucune sous-clé de chiffrement valide");
                    });
        }
    }

    private static PGPPublicKey encryptionSubkey(PGPPublicKeyRing ring) {
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
            PGPPublicKey key = it.next();
            if (!key.isMasterKey() && key.isEncryptionKey()) {
                return key;
            }
        }
        throw new AssertionError("no encryption subkey");
    }
}
