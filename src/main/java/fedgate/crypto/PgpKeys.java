package fedgate.crypto;

import fedgate.crypto.PgpException.Code;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyRing;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.PBESecretKeyDecryptor;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.bouncycastle.util.encoders.Hex;

/**
 * Loads OpenPGP v4 key rings and decides which key may be used, at a given instant:
 * the partner's encryption subkey (pinned primary fingerprint, valid binding signature, encryption flags,
 * not expired, not revoked) and the CAF's signing key. Every self-signature, binding and revocation is
 * verified cryptographically: an unbound subkey appended to a pinned key is ignored.
 */
public final class PgpKeys {

    private static final DateTimeFormatter FRENCH_DATE =
            DateTimeFormatter.ofPattern("d MMMM yyyy 'à' HH:mm", Locale.FRENCH).withZone(ZoneId.of("Europe/Paris"));
    private static final int ENCRYPT_FLAGS = KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE;

    private PgpKeys() {
    }

    // ---------------------------------------------------------------- loading

    public static PGPPublicKeyRing readPublicKeyRing(Path file) throws IOException, PgpException {
        try (InputStream in = Files.newInputStream(file)) {
            return readPublicKeyRing(in);
        }
    }

    /** Reads one armored (or binary) public key ring; a secret key ring is accepted and reduced to its public part. */
    public static PGPPublicKeyRing readPublicKeyRing(InputStream in) throws IOException, PgpException {
        PGPKeyRing ring = readRing(in);
        if (ring instanceof PGPSecretKeyRing secret) {
            return secret.toCertificate();
        }
        return (PGPPublicKeyRing) ring;
    }

    public static PGPSecretKeyRing readSecretKeyRing(Path file) throws IOException, PgpException {
        try (InputStream in = Files.newInputStream(file)) {
            return readSecretKeyRing(in);
        }
    }

    public static PGPSecretKeyRing readSecretKeyRing(InputStream in) throws IOException, PgpException {
        PGPKeyRing ring = readRing(in);
        if (ring instanceof PGPSecretKeyRing secret) {
            return secret;
        }
        throw new PgpException(Code.UNREADABLE_KEY, "Le fichier ne contient pas de clé secrète OpenPGP");
    }

    private static PGPKeyRing readRing(InputStream in) throws IOException, PgpException {
        InputStream decoded = PGPUtil.getDecoderStream(new BufferedInputStream(in));
        PGPObjectFactory factory = new PGPObjectFactory(decoded, new JcaKeyFingerprintCalculator());
        Object object;
        try {
            object = factory.nextObject();
        } catch (IOException | RuntimeException e) {
            throw new PgpException(Code.UNREADABLE_KEY, "Fichier de clé OpenPGP illisible", e);
        }
        if (object instanceof PGPKeyRing ring) {
            if (ring.getPublicKey().getVersion() != 4) {
                throw new PgpException(Code.UNREADABLE_KEY,
                        "Seules les clés OpenPGP de version 4 sont acceptées (version " + ring.getPublicKey().getVersion() + ")");
            }
            return ring;
        }
        throw new PgpException(Code.UNREADABLE_KEY, "Le fichier ne contient pas de clé OpenPGP");
    }

    /** Upper-case hexadecimal fingerprint, no spaces (40 digits for a v4 key). */
    public static String fingerprint(PGPPublicKey key) {
        return Hex.toHexString(key.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    static String normalizeFingerprint(String fingerprint) {
        return fingerprint == null ? "" : fingerprint.replaceAll("\\s+", "").toUpperCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- partner key

    /**
     * The partner's key, checked at {@code now}: primary fingerprint equal to {@code pinnedFingerprint}
     * (from the partner registry), primary neither revoked nor expired, and a usable encryption subkey.
     *
     * @param partnerId used in the French reasons only (e.g. {@code ville-rouen})
     */
    public static PartnerKey partnerKey(String partnerId, PGPPublicKeyRing ring, String pinnedFingerprint, Instant now)
            throws PgpException {
        String owner = "du partenaire " + partnerId;
        PGPPublicKey primary = ring.getPublicKey();
        String actual = fingerprint(primary);
        String expected = normalizeFingerprint(pinnedFingerprint);
        if (!actual.equals(expected)) {
            throw new PgpException(Code.FINGERPRINT_MISMATCH, "L'empreinte de la clé OpenPGP " + owner + " (" + actual
                    + ") ne correspond pas à l'empreinte enregistrée (" + expected + ")");
        }
        checkPrimary(primary, owner, now);
        PGPPublicKey encryptionKey = usableKey(ring, ENCRYPT_FLAGS, owner, now)
                .orElseThrow(() -> new PgpException(Code.NO_ENCRYPTION_KEY,
                        "La clé OpenPGP " + owner + " ne comporte aucune sous-clé de chiffrement valide"));
        return new PartnerKey(partnerId, ring, encryptionKey);
    }

    /** Convenience: read and check a partner key file. */
    public static PartnerKey partnerKey(String partnerId, Path publicKeyFile, String pinnedFingerprint, Instant now)
            throws IOException, PgpException {
        return partnerKey(partnerId, readPublicKeyRing(publicKeyFile), pinnedFingerprint, now);
    }

    /**
     * Checks a signer's public key at {@code now} (not revoked, not expired, fingerprint pinned when given)
     * and returns it unchanged; used before verifying a partner's or the CAF's signatures.
     */
    public static PGPPublicKeyRing checkedSigner(String ownerLabel, PGPPublicKeyRing ring, String pinnedFingerprint,
            Instant now) throws PgpException {
        PGPPublicKey primary = ring.getPublicKey();
        if (pinnedFingerprint != null && !fingerprint(primary).equals(normalizeFingerprint(pinnedFingerprint))) {
            throw new PgpException(Code.FINGERPRINT_MISMATCH, "L'empreinte de la clé OpenPGP " + ownerLabel + " ("
                    + fingerprint(primary) + ") ne correspond pas à l'empreinte enregistrée (" + normalizeFingerprint(pinnedFingerprint) + ")");
        }
        checkPrimary(primary, ownerLabel, now);
        return ring;
    }

    // ---------------------------------------------------------------- own keys

    /**
     * Unlocks the CAF's signing key (the primary when it may sign, else a bound signing subkey) at {@code now}.
     * The passphrase is not kept; the caller wipes it.
     */
    public static SigningKey signingKey(PGPSecretKeyRing ring, char[] passphrase, Instant now) throws PgpException {
        String owner = "de la CAF";
        PGPPublicKeyRing certificate = ring.toCertificate();
        checkPrimary(certificate.getPublicKey(), owner, now);
        PGPPublicKey signing = usableKey(certificate, KeyFlags.SIGN_DATA, owner, now)
                .orElseThrow(() -> new PgpException(Code.NO_SIGNING_KEY,
                        "La clé OpenPGP " + owner + " ne comporte aucune clé de signature valide"));
        PGPPrivateKey privateKey = unlock(ring.getSecretKey(signing.getKeyID()), passphrase, owner);
        return new SigningKey(certificate, signing, privateKey);
    }

    /** Unlocks every encryption-capable secret key of our ring, to decrypt messages sent to us. */
    public static DecryptionKeys decryptionKeys(PGPSecretKeyRing ring, char[] passphrase) throws PgpException {
        Map<Long, PGPPrivateKey> keys = new HashMap<>();
        for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
            PGPSecretKey secret = it.next();
            if (secret.getPublicKey().isEncryptionKey() && !secret.isPrivateKeyEmpty()) {
                keys.put(secret.getKeyID(), unlock(secret, passphrase, "de déchiffrement"));
            }
        }
        if (keys.isEmpty()) {
            throw new PgpException(Code.NO_ENCRYPTION_KEY, "Aucune clé de déchiffrement dans le trousseau");
        }
        return new DecryptionKeys(ring.toCertificate(), keys);
    }

    private static PGPPrivateKey unlock(PGPSecretKey secret, char[] passphrase, String owner) throws PgpException {
        try {
            PBESecretKeyDecryptor decryptor = new JcePBESecretKeyDecryptorBuilder(
                    new JcaPGPDigestCalculatorProviderBuilder().build()).build(passphrase);
            return secret.extractPrivateKey(decryptor);
        } catch (PGPException e) {
            // BC's message says "checksum mismatch"; no secret is in it, but keep ours fixed anyway
            throw new PgpException(Code.WRONG_PASSPHRASE, "Phrase de passe incorrecte pour la clé OpenPGP " + owner);
        }
    }

    // ---------------------------------------------------------------- validity

    private static void checkPrimary(PGPPublicKey primary, String owner, Instant now) throws PgpException {
        Optional<Instant> revokedAt = revocation(primary, primary, PGPSignature.KEY_REVOCATION);
        if (revokedAt.isPresent()) {
            throw new PgpException(Code.KEY_REVOKED,
                    "La clé OpenPGP " + owner + " a été révoquée le " + FRENCH_DATE.format(revokedAt.get()));
        }
        PGPSignature selfSig = newestSelfCertification(primary).orElseThrow(() -> new PgpException(Code.UNREADABLE_KEY,
                "La clé OpenPGP " + owner + " n'a pas d'auto-certification valide"));
        Optional<Instant> expiry = expiry(primary, selfSig);
        if (expiry.isPresent() && !now.isBefore(expiry.get())) {
            throw new PgpException(Code.KEY_EXPIRED, "La clé OpenPGP " + owner + " a expiré le " + FRENCH_DATE.format(expiry.get()));
        }
    }

    /**
     * The newest key (primary or bound subkey) having {@code flags}, neither revoked nor expired at {@code now}.
     * When candidates exist but all are expired or revoked, that is the reason given.
     */
    private static Optional<PGPPublicKey> usableKey(PGPPublicKeyRing ring, int flags, String owner, Instant now)
            throws PgpException {
        return usableKeys(ring, flags, owner, now).stream().max((a, b) -> a.getCreationTime().compareTo(b.getCreationTime()));
    }

    /**
     * The keys of {@code ring} allowed to make data signatures at {@code now}: primary not revoked nor expired,
     * key bound by a verified self-signature with the sign flag, not revoked nor expired.
     */
    static List<PGPPublicKey> signingKeys(PGPPublicKeyRing ring, String ownerLabel, Instant now) throws PgpException {
        checkPrimary(ring.getPublicKey(), ownerLabel, now);
        return usableKeys(ring, KeyFlags.SIGN_DATA, ownerLabel, now);
    }

    private static List<PGPPublicKey> usableKeys(PGPPublicKeyRing ring, int flags, String owner, Instant now)
            throws PgpException {
        PGPPublicKey primary = ring.getPublicKey();
        List<PGPPublicKey> usable = new ArrayList<>();
        PgpException lastRefusal = null;
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
            PGPPublicKey key = it.next();
            Optional<PGPSignature> binding = key == primary ? newestSelfCertification(primary) : newestBinding(primary, key);
            if (binding.isEmpty() || (keyFlags(binding.get()) & flags) == 0) {
                continue;
            }
            if (flags == ENCRYPT_FLAGS && !key.isEncryptionKey()) {
                continue;
            }
            if (key != primary) {
                Optional<Instant> revokedAt = revocation(primary, key, PGPSignature.SUBKEY_REVOCATION);
                if (revokedAt.isPresent()) {
                    lastRefusal = new PgpException(Code.KEY_REVOKED, "La sous-clé " + keyId(key) + " de la clé OpenPGP "
                            + owner + " a été révoquée le " + FRENCH_DATE.format(revokedAt.get()));
                    continue;
                }
            }
            Optional<Instant> expiry = expiry(key, binding.get());
            if (expiry.isPresent() && !now.isBefore(expiry.get())) {
                lastRefusal = new PgpException(Code.KEY_EXPIRED, "La sous-clé " + keyId(key) + " de la clé OpenPGP " + owner
                        + " a expiré le " + FRENCH_DATE.format(expiry.get()));
                continue;
            }
            usable.add(key);
        }
        if (usable.isEmpty() && lastRefusal != null) {
            throw lastRefusal;
        }
        return usable;
    }

    static String keyId(PGPPublicKey key) {
        return String.format("%016X", key.getKeyID());
    }

    private static int keyFlags(PGPSignature sig) {
        return sig.getHashedSubPackets() == null ? 0 : sig.getHashedSubPackets().getKeyFlags();
    }

    private static Optional<Instant> expiry(PGPPublicKey key, PGPSignature selfSig) {
        long seconds = selfSig.getHashedSubPackets() == null ? 0 : selfSig.getHashedSubPackets().getKeyExpirationTime();
        return seconds <= 0 ? Optional.empty() : Optional.of(key.getCreationTime().toInstant().plusSeconds(seconds));
    }

    private static Optional<PGPSignature> newestSelfCertification(PGPPublicKey primary) {
        PGPSignature newest = null;
        for (Iterator<String> ids = primary.getUserIDs(); ids.hasNext(); ) {
            String id = ids.next();
            for (Iterator<PGPSignature> sigs = primary.getSignaturesForID(id); sigs.hasNext(); ) {
                PGPSignature sig = sigs.next();
                if (sig.getKeyID() == primary.getKeyID() && sig.isCertification() && verifies(sig, primary, () -> sig.verifyCertification(id, primary))
                        && (newest == null || sig.getCreationTime().after(newest.getCreationTime()))) {
                    newest = sig;
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    private static Optional<PGPSignature> newestBinding(PGPPublicKey primary, PGPPublicKey subkey) {
        PGPSignature newest = null;
        for (Iterator<PGPSignature> sigs = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); sigs.hasNext(); ) {
            PGPSignature sig = sigs.next();
            if (sig.getKeyID() == primary.getKeyID() && verifies(sig, primary, () -> sig.verifyCertification(primary, subkey))
                    && (newest == null || sig.getCreationTime().after(newest.getCreationTime()))) {
                newest = sig;
            }
        }
        return Optional.ofNullable(newest);
    }

    private static Optional<Instant> revocation(PGPPublicKey primary, PGPPublicKey key, int type) {
        for (Iterator<PGPSignature> sigs = key.getSignaturesOfType(type); sigs.hasNext(); ) {
            PGPSignature sig = sigs.next();
            boolean ok = sig.getKeyID() == primary.getKeyID() && verifies(sig, primary,
                    () -> key == primary ? sig.verifyCertification(primary) : sig.verifyCertification(primary, key));
            if (ok) {
                return Optional.of(sig.getCreationTime().toInstant());
            }
        }
        return Optional.empty();
    }

    private interface Check {
        boolean run() throws PGPException;
    }

    private static boolean verifies(PGPSignature sig, PGPPublicKey signer, Check check) {
        try {
            sig.init(new JcaPGPContentVerifierBuilderProvider(), signer);
            return check.run();
        } catch (PGPException | RuntimeException e) {
            return false;
        }
    }

    static String formatDate(Instant instant) {
        return FRENCH_DATE.format(instant);
    }
}
