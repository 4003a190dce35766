package fedgate.crypto;

import java.util.Map;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/** Our unlocked decryption keys, by key id. Its {@link #toString()} never shows key material. */
public final class DecryptionKeys {
    private final PGPPublicKeyRing certificate;
    private final Map<Long, PGPPrivateKey> byKeyId;

    DecryptionKeys(PGPPublicKeyRing certificate, Map<Long, PGPPrivateKey> byKeyId) {
        this.certificate = certificate;
        this.byKeyId = Map.copyOf(byKeyId);
    }

    PGPPrivateKey forKeyId(long keyId) {
        return byKeyId.get(keyId);
    }

    public String fingerprint() {
        return PgpKeys.fingerprint(certificate.getPublicKey());
    }

    @Override
    public String toString() {
        return "DecryptionKeys[" + fingerprint() + "]";
    }
}
