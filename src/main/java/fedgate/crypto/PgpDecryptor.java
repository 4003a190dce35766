package fedgate.crypto;

import fedgate.crypto.PgpException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyDataDecryptorFactoryBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JceSessionKeyDataDecryptorFactoryBuilder;

/**
 * Decrypts a message sent to one of our keys and verifies it was signed by the expected signer.
 * Refuses: a message not encrypted to us, without integrity protection (no MDC), with a failed MDC
 * (tampering), a cipher weaker than AES-128, a hash weaker than SHA-224, no signature or a signature by
 * someone else, a bad signature. Reads GnuPG 2.2's output ({@code gpg --sign --encrypt}) and ours.
 *
 * <p>The plaintext is streamed to {@code plainOut} before the checks that need the whole message
 * (MDC, signature) can conclude: on an exception, discard what was written.
 */
public final class PgpDecryptor {

    private static final Set<Integer> ACCEPTED_CIPHERS = Set.of(
            SymmetricKeyAlgorithmTags.AES_128, SymmetricKeyAlgorithmTags.AES_192, SymmetricKeyAlgorithmTags.AES_256);
    private static final Set<Integer> ACCEPTED_HASHES = Set.of(
            HashAlgorithmTags.SHA224, HashAlgorithmTags.SHA256, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA512);

    private final DecryptionKeys keys;
    private final Clock clock;

    public PgpDecryptor(DecryptionKeys keys) {
        this(keys, Clock.systemUTC());
    }

    public PgpDecryptor(DecryptionKeys keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param expectedSigner the signer's public key ring (already pinned by the caller, see
     *                       {@link PgpKeys#checkedSigner}); its keys must be valid signing keys now
     */
    public DecryptionResult decryptAndVerify(InputStream in, OutputStream plainOut, PGPPublicKeyRing expectedSigner)
            throws IOException, PgpException {
        String signerLabel = "du signataire " + PgpKeys.fingerprint(expectedSigner.getPublicKey());
        List<PGPPublicKey> signingKeys = PgpKeys.signingKeys(expectedSigner, signerLabel, clock.instant());

        PGPPublicKeyEncryptedData encrypted = findOurs(readEncryptedDataList(in));
        if (!encrypted.isIntegrityProtected()) {
            throw new PgpException(Code.NOT_INTEGRITY_PROTECTED,
                    "Le message n'est pas protégé en intégrité (pas de MDC) : refusé");
        }
        Clear opened = openClear(encrypted);
        InputStream clear = opened.stream();

        try {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(clear);
            Object object = nextObject(factory);
            if (object instanceof PGPCompressedData compressed) {
                factory = new JcaPGPObjectFactory(compressed.getDataStream());
                object = nextObject(factory);
            }
            if (!(object instanceof PGPOnePassSignatureList opsList)) {
                throw new PgpException(Code.MISSING_SIGNATURE, "Le message n'est pas signé");
            }
            PGPOnePassSignature ops = null;
            PGPPublicKey signingKey = null;
            for (PGPOnePassSignature candidate : opsList) {
                for (PGPPublicKey key : signingKeys) {
                    if (key.getKeyID() == candidate.getKeyID()) {
                        ops = candidate;
                        signingKey = key;
                    }
                }
            }
            if (ops == null) {
                throw new PgpException(Code.UNEXPECTED_SIGNER, "Le message n'est pas signé par la clé attendue ("
                        + PgpKeys.fingerprint(expectedSigner.getPublicKey()) + ")");
            }
            if (!ACCEPTED_HASHES.contains(ops.getHashAlgorithm())) {
                throw new PgpException(Code.WEAK_ALGORITHM, "Algorithme de hachage de la signature refusé (" + ops.getHashAlgorithm() + ")");
            }
            ops.init(new JcaPGPContentVerifierBuilderProvider(), signingKey);

            object = nextObject(factory);
            if (!(object instanceof PGPLiteralData literal)) {
                throw new PgpException(Code.MALFORMED_MESSAGE, "Message OpenPGP mal formé : données attendues après la signature");
            }
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            InputStream data = literal.getDataStream();
            byte[] buffer = new byte[PgpEncryptor.BUFFER];
            long plainBytes = 0;
            while (true) {
                int n = readTamperAware(data, buffer);
                if (n < 0) {
                    break;
                }
                ops.update(buffer, 0, n);
                sha256.update(buffer, 0, n);
                plainOut.write(buffer, 0, n);
                plainBytes += n;
            }

            object = nextObject(factory);
            if (!(object instanceof PGPSignatureList sigList)) {
                throw new PgpException(Code.MISSING_SIGNATURE, "Signature finale absente du message");
            }
            if (nextObject(factory) != null) {
                throw new PgpException(Code.MALFORMED_MESSAGE, "Message OpenPGP mal formé : paquets en trop après la signature");
            }
            drain(clear);
            // MDC first: a tampered message is reported as such, not as a bad signature
            if (!encrypted.verify()) {
                throw tampered(null);
            }
            PGPSignature signature = null;
            for (PGPSignature candidate : sigList) {
                if (candidate.getKeyID() == ops.getKeyID()) {
                    signature = candidate;
                }
            }
            if (signature == null || !ops.verify(signature)) {
                throw new PgpException(Code.BAD_SIGNATURE, "La signature du message est invalide");
            }
            return new DecryptionResult(literal.getFileName(), literal.getModificationTime().toInstant(), plainBytes,
                    HexFormat.of().formatHex(sha256.digest()), PgpKeys.fingerprint(expectedSigner.getPublicKey()),
                    PgpKeys.keyId(signingKey), signature.getCreationTime().toInstant(), opened.symmetricAlgorithm());
        } catch (PGPException e) {
            throw tampered(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Clear(InputStream stream, int symmetricAlgorithm) {
    }

    private static PgpException tampered(Throwable cause) {
        return new PgpException(Code.INTEGRITY_CHECK_FAILED,
                "Le contrôle d'intégrité du message a échoué : message altéré ou corrompu", cause);
    }

    private static PGPEncryptedDataList readEncryptedDataList(InputStream in) throws IOException, PgpException {
        try {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(in));
            Object object = factory.nextObject();
            while (object instanceof PGPMarker) {
                object = factory.nextObject();
            }
            if (object instanceof PGPEncryptedDataList list) {
                return list;
            }
        } catch (IOException | RuntimeException e) {
            throw new PgpException(Code.MALFORMED_MESSAGE, "Message OpenPGP illisible", e);
        }
        throw new PgpException(Code.MALFORMED_MESSAGE, "Le fichier n'est pas un message OpenPGP chiffré");
    }

    private PGPPublicKeyEncryptedData findOurs(PGPEncryptedDataList list) throws PgpException {
        List<String> recipients = new ArrayList<>();
        for (Iterator<PGPEncryptedData> it = list.getEncryptedDataObjects(); it.hasNext(); ) {
            PGPEncryptedData data = it.next();
            if (data instanceof PGPPublicKeyEncryptedData pked) {
                if (keys.forKeyId(pked.getKeyID()) != null) {
                    return pked;
                }
                recipients.add(String.format("%016X", pked.getKeyID()));
            }
        }
        throw new PgpException(Code.NOT_FOR_OUR_KEY, "Le message n'est pas chiffré pour notre clé " + keys.fingerprint()
                + " (destinataires : " + String.join(", ", recipients) + ")");
    }

    private Clear openClear(PGPPublicKeyEncryptedData encrypted) throws PgpException {
        PGPPrivateKey privateKey = keys.forKeyId(encrypted.getKeyID());
        try {
            PGPSessionKey sessionKey = encrypted.getSessionKey(new JcePublicKeyDataDecryptorFactoryBuilder().build(privateKey));
            if (!ACCEPTED_CIPHERS.contains(sessionKey.getAlgorithm())) {
                throw new PgpException(Code.WEAK_ALGORITHM,
                        "Algorithme de chiffrement refusé (" + sessionKey.getAlgorithm() + ") : AES exigé");
            }
            return new Clear(encrypted.getDataStream(new JceSessionKeyDataDecryptorFactoryBuilder().build(sessionKey)),
                    sessionKey.getAlgorithm());
        } catch (PGPException | RuntimeException e) {
            throw tampered(e);
        }
    }

    private static Object nextObject(JcaPGPObjectFactory factory) throws PgpException {
        try {
            return factory.nextObject();
        } catch (IOException | RuntimeException e) {
            throw tampered(e);
        }
    }

    private static int readTamperAware(InputStream data, byte[] buffer) throws PgpException {
        try {
            return data.read(buffer);
        } catch (IOException | RuntimeException e) {
            throw tampered(e);
        }
    }

    private static void drain(InputStream clear) throws PgpException {
        byte[] buffer = new byte[4096];
        while (readTamperAware(clear, buffer) >= 0) {
            // the MDC can only be checked once the whole encrypted packet is read
        }
    }
}
