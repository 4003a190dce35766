package fedgate.crypto;

import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * A partner's public key after {@link PgpKeys#partnerKey}: pinned, valid, with the encryption subkey chosen.
 */
public record PartnerKey(String partnerId, PGPPublicKeyRing ring, PGPPublicKey encryptionKey) {

    /** Fingerprint of the primary key, as pinned in the partner registry. */
    public String fingerprint() {
        return PgpKeys.fingerprint(ring.getPublicKey());
    }

    /** Fingerprint of the subkey messages are encrypted to. */
    public String encryptionKeyFingerprint() {
        return PgpKeys.fingerprint(encryptionKey);
    }
}
