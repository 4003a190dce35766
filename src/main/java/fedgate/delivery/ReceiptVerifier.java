package fedgate.delivery;

import fedgate.crypto.Sha256;
import fedgate.crypto.DecryptionKeys;
import fedgate.crypto.DecryptionResult;
import fedgate.crypto.DetachedSigner;
import fedgate.crypto.PgpDecryptor;
import fedgate.crypto.PgpException;
import fedgate.crypto.PgpKeys;
import fedgate.ledger.UsageTerms;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a delivery receipt: the CAF's detached signature of {@code manifest.json} (CAF key pinned by fingerprint),
 * then that every listed encrypted file next to the manifest has the listed size and SHA-256; with the partner's
 * decryption keys ({@link #withDecryption}), also that each file decrypts, is signed by the CAF and has the listed
 * plain size and SHA-256 (the plaintext is hashed, never written).
 *
 * <p>Nothing in an unsigned or badly signed manifest is trusted: when the signature fails, no file is opened. File
 * names are checked ({@link DeliveryFileName}) before any is resolved next to the manifest, even in a validly signed
 * manifest.
 */
public final class ReceiptVerifier {

    /** What went wrong; the message is French, one line, naming the file when there is one. */
    public enum Code {
        CAF_KEY_REFUSED,
        SIGNATURE_MISSING,
        SIGNATURE_INVALID,
        MANIFEST_INVALID,
        SIGNER_MISMATCH,
        USAGE_TERMS_ALTERED,
        FILE_MISSING,
        SIZE_MISMATCH,
        HASH_MISMATCH,
        DECRYPTION_FAILED,
        PLAIN_SIZE_MISMATCH,
        PLAIN_HASH_MISMATCH
    }

    /** One problem; {@code file} is the delivered file's name, or null for the manifest itself. */
    public record Problem(Code code, String file, String message) {
    }

    /**
     * @param manifest     the parsed manifest, or null when its signature or format was refused
     * @param filesChecked how many listed files were found with the right size and hash
     * @param decrypted    how many were also decrypted and checked (0 without decryption keys)
     */
    public record Result(Path manifestFile, DeliveryManifest manifest, boolean signatureValid, int filesChecked, int decrypted,
                         List<Problem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return signatureValid && manifest != null && problems.isEmpty();
        }
    }

    private final PGPPublicKeyRing caf;
    private final String cafFingerprint;
    private final Clock clock;
    private final DecryptionKeys partnerKeys;

    /**
     * @param cafCertificate the CAF's public key
     * @param pinnedFingerprint the CAF's primary fingerprint as published (convention annex); required
     */
    public ReceiptVerifier(PGPPublicKeyRing cafCertificate, String pinnedFingerprint, Clock clock) {
        this(cafCertificate, pinnedFingerprint, clock, null);
    }

    private ReceiptVerifier(PGPPublicKeyRing caf, String fingerprint, Clock clock, DecryptionKeys partnerKeys) {
        this.caf = Objects.requireNonNull(caf, "cafCertificate");
        this.cafFingerprint = Objects.requireNonNull(fingerprint, "pinnedFingerprint");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.partnerKeys = partnerKeys;
    }

    /** Also decrypt every file with the partner's keys and check its plain size and hash. */
    public ReceiptVerifier withDecryption(DecryptionKeys partnerKeys) {
        return new ReceiptVerifier(caf, cafFingerprint, clock, Objects.requireNonNull(partnerKeys, "partnerKeys"));
    }

    /** Verifies {@code manifest} with the signature {@code manifest.json.asc} next to it (same name + ".asc"). */
    public Result verify(Path manifest) throws IOException {
        Path fileName = manifest.getFileName();
        return verify(manifest, manifest.resolveSibling((fileName == null ? "" : fileName.toString()) + ".asc"));
    }

    public Result verify(Path manifestFile, Path signatureFile) throws IOException {
        List<Problem> problems = new ArrayList<>();
        try {
            PgpKeys.checkedSigner("de la CAF", caf, cafFingerprint, clock.instant());
        } catch (PgpException e) {
            problems.add(new Problem(Code.CAF_KEY_REFUSED, null, e.reason()));
            return new Result(manifestFile, null, false, 0, 0, problems);
        }
        if (!Files.isRegularFile(manifestFile)) {
            problems.add(new Problem(Code.MANIFEST_INVALID, null, "Manifeste introuvable : " + manifestFile.getFileName()));
            return new Result(manifestFile, null, false, 0, 0, problems);
        }
        if (Files.size(manifestFile) > DeliveryManifest.MAX_BYTES) {
            problems.add(new Problem(Code.MANIFEST_INVALID, null, "Manifeste refusé : fichier anormalement volumineux"));
            return new Result(manifestFile, null, false, 0, 0, problems);
        }
        byte[] bytes = Files.readAllBytes(manifestFile);
        if (!Files.isRegularFile(signatureFile) || Files.size(signatureFile) > 64 * 1024) {
            problems.add(new Problem(Code.SIGNATURE_MISSING, null, "Signature du manifeste introuvable ("
                    + signatureFile.getFileName() + ") : le reçu ne peut pas être vérifié"));
            return new Result(manifestFile, null, false, 0, 0, problems);
        }
        DetachedSigner.Verification v;
        try (InputStream sig = Files.newInputStream(signatureFile)) {
            v = DetachedSigner.verify(new ByteArrayInputStream(bytes), sig, caf, clock);
        }
        if (!v.valid()) {
            problems.add(new Problem(Code.SIGNATURE_INVALID, null, "Signature du manifeste invalide : " + v.reason()));
            return new Result(manifestFile, null, false, 0, 0, problems);
        }

        DeliveryManifest manifest;
        try {
            manifest = DeliveryManifest.parse(bytes);
        } catch (DeliveryException e) {
            problems.add(new Problem(Code.MANIFEST_INVALID, null, e.reason()));
            return new Result(manifestFile, null, true, 0, 0, problems);
        }
        if (!manifest.signerFingerprint().equals(PgpKeys.fingerprint(caf.getPublicKey()))) {
            problems.add(new Problem(Code.SIGNER_MISMATCH, null, "Le manifeste annonce le signataire "
                    + manifest.signerFingerprint() + " mais il est signé par la CAF (" + v.signerFingerprint() + ")"));
        }
        UsageTerms.Applied terms = manifest.usageTerms();
        Optional<UsageTerms> known = UsageTerms.version(terms.version());
        if (!terms.textMatchesHash() || known.isPresent() && !known.get().sha256().equals(terms.sha256())) {
            problems.add(new Problem(Code.USAGE_TERMS_ALTERED, null, "Le texte des conditions d'usage (version "
                    + terms.version() + ") ne correspond pas à son empreinte SHA-256 publiée"));
        }

        Path dir = manifestFile.toAbsolutePath().normalize().getParent();
        int checked = 0;
        int decrypted = 0;
        for (DeliveryManifest.FileEntry f : manifest.files()) {
            if (!DeliveryFileName.isSafe(f.encryptedName())) { // parse() already refuses them: never resolve one anyway
                problems.add(new Problem(Code.MANIFEST_INVALID, DeliveryFileName.printable(f.encryptedName()), "Nom de fichier refusé"));
                continue;
            }
            Path file = dir.resolve(f.encryptedName());
            if (!dir.equals(file.normalize().getParent())) { // unreachable with a safe name; kept as a second lock
                problems.add(new Problem(Code.MANIFEST_INVALID, DeliveryFileName.printable(f.encryptedName()), "Nom de fichier refusé"));
                continue;
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(new Problem(Code.FILE_MISSING, f.encryptedName(), f.encryptedName() + " : fichier absent"));
                continue;
            }
            long size = Files.size(file);
            if (size != f.encryptedSize()) {
                problems.add(new Problem(Code.SIZE_MISMATCH, f.encryptedName(), f.encryptedName() + " : taille " + size
                        + " octets au lieu de " + f.encryptedSize() + " (fichier altéré ou incomplet)"));
                continue;
            }
            String sha = sha256(file);
            if (!sha.equals(f.encryptedSha256())) {
                problems.add(new Problem(Code.HASH_MISMATCH, f.encryptedName(), f.encryptedName()
                        + " : empreinte SHA-256 différente de celle du reçu (fichier altéré)"));
                continue;
            }
            checked++;
            if (partnerKeys != null && decryptAndCheck(file, f, problems)) {
                decrypted++;
            }
        }
        return new Result(manifestFile, manifest, true, checked, decrypted, problems);
    }

    private boolean decryptAndCheck(Path file, DeliveryManifest.FileEntry f, List<Problem> problems) throws IOException {
        DecryptionResult r;
        try (InputStream in = Files.newInputStream(file)) {
            r = new PgpDecryptor(partnerKeys, clock).decryptAndVerify(in, OutputStream.nullOutputStream(), caf);
        } catch (PgpException e) {
            problems.add(new Problem(Code.DECRYPTION_FAILED, f.encryptedName(), f.encryptedName() + " : " + e.reason()));
            return false;
        }
        if (r.plainBytes() != f.plainSize()) {
            problems.add(new Problem(Code.PLAIN_SIZE_MISMATCH, f.encryptedName(), f.encryptedName() + " : " + r.plainBytes()
                    + " octets en clair au lieu de " + f.plainSize()));
            return false;
        }
        if (!r.plainSha256().equals(f.plainSha256())) {
            problems.add(new Problem(Code.PLAIN_HASH_MISMATCH, f.encryptedName(), f.encryptedName()
                    + " : empreinte SHA-256 du contenu déchiffré différente de celle du reçu"));
            return false;
        }
        return true;
    }

    /** Lower-case hex SHA-256 of a file, streaming. */
    static String sha256(Path file) throws IOException {
        return Sha256.hex(file);
    }
}
