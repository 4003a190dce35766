package fedgate.delivery;

import fedgate.crypto.Passphrase;
import fedgate.crypto.PartnerKey;
import fedgate.crypto.PgpException;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SigningKey;
import fedgate.partner.Partner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * The keys of the delivery stage: the CAF's signing key, unlocked once at start (its passphrase from
 * {@code FEDGATE_CAF_PASSPHRASE} or a file, wiped at once, never logged), and the partners' public keys, one
 * {@code <partnerId>.pub.asc} per partner in a directory, read at each delivery (a renewed key needs no restart)
 * and pinned by the registry's {@code pgpFingerprint}.
 */
public final class DeliveryKeys {

    public static final String CAF_PASSPHRASE_ENV = "FEDGATE_CAF_PASSPHRASE";

    private final SigningKey caf;
    private final Path partnerKeysDir;

    public DeliveryKeys(SigningKey caf, Path partnerKeysDir) {
        this.caf = Objects.requireNonNull(caf, "caf");
        this.partnerKeysDir = Objects.requireNonNull(partnerKeysDir, "partnerKeysDir");
    }

    /**
     * Unlocks the CAF key at {@code now}.
     *
     * @throws IllegalStateException naming the file and the French reason (never the passphrase) when it cannot be used
     */
    public static DeliveryKeys load(Path cafSecretKey, Path passphraseFile, Path partnerKeysDir, Instant now) {
        char[] pass = Passphrase.from(CAF_PASSPHRASE_ENV, passphraseFile);
        try {
            return new DeliveryKeys(PgpKeys.signingKey(PgpKeys.readSecretKeyRing(cafSecretKey), pass, now), partnerKeysDir);
        } catch (PgpException e) {
            throw new IllegalStateException("CAF signing key " + cafSecretKey + " unusable: " + e.reason(), e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the CAF signing key " + cafSecretKey + " ("
                    + e.getClass().getSimpleName() + ")", e);
        } finally {
            Passphrase.wipe(pass);
        }
    }

    public SigningKey caf() {
        return caf;
    }

    /** The partner's key file: {@code <dir>/<partner id>.pub.asc} (the id is the registry's, a safe name). */
    public Path keyFile(Partner partner) {
        return partnerKeysDir.resolve(partner.id() + ".pub.asc");
    }

    /**
     * The partner's key, checked at {@code now} against the registry's fingerprint; refused with a French reason
     * when missing, unreadable, mismatched, expired or revoked.
     */
    public PartnerKey partnerKey(Partner partner, Instant now) throws DeliveryException {
        Path file = keyFile(partner);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new DeliveryException(DeliveryException.Code.KEY_REFUSED, "Aucune clé OpenPGP publique n'est enregistrée "
                    + "pour le partenaire " + partner.id() + " : livraison impossible");
        }
        try {
            return DeliveryPackager.recipientKey(partner, PgpKeys.readPublicKeyRing(file), now);
        } catch (PgpException e) {
            throw new DeliveryException(DeliveryException.Code.KEY_REFUSED, e.reason(), e);
        } catch (IOException e) {
            throw new DeliveryException(DeliveryException.Code.KEY_REFUSED, "La clé OpenPGP du partenaire " + partner.id()
                    + " est illisible", e);
        }
    }
}
