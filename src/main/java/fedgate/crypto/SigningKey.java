package fedgate.crypto;

import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/** The CAF's unlocked signing key. Its {@link #toString()} never shows key material. */
public final class SigningKey {
    private final PGPPublicKeyRing certificate;
    private final PGPPublicKey publicKey;
    private final PGPPrivateKey privateKey;

    SigningKey(PGPPublicKeyRing certificate, PGPPublicKey publicKey, PGPPrivateKey privateKey) {
        this.certificate = certificate;
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /** The public key ring (certificate) of the signer, as partners hold it. */
    public PGPPublicKeyRing certificate() {
        return certificate;
    }

    public PGPPublicKey publicKey() {
        return publicKey;
    }

    PGPPrivateKey privateKey() {
        return privateKey;
    }

    /** Fingerprint of the primary key. */
    public String fingerprint() {
        return PgpKeys.fingerprint(certificate.getPublicKey());
    }

    @Override
    public String toString() {
        return "SigningKey[" + fingerprint() + "]";
    }
}
