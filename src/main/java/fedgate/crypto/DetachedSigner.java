package fedgate.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;

/**
 * Armored detached signatures (SHA-256, binary document) for the delivery manifest and the ledger head;
 * {@code gpg --verify data.sig data} checks them, and we check gpg's.
 */
public final class DetachedSigner {

    private static final Set<Integer> ACCEPTED_HASHES = Set.of(
            HashAlgorithmTags.SHA224, HashAlgorithmTags.SHA256, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA512);

    private final SigningKey key;

    public DetachedSigner(SigningKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** Reads {@code data} to its end; returns {@code -----BEGIN PGP SIGNATURE-----} text. */
    public String sign(InputStream data) throws IOException {
        try {
            int algorithm = key.publicKey().getAlgorithm();
            PGPContentSignerBuilder builder = JdkRsaContentSignerBuilder.supports(algorithm)
                    ? new JdkRsaContentSignerBuilder() : new JcaPGPContentSignerBuilder(algorithm, HashAlgorithmTags.SHA256);
            PGPSignatureGenerator generator = new PGPSignatureGenerator(builder, key.publicKey());
            generator.init(PGPSignature.BINARY_DOCUMENT, key.privateKey());
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(true, new Date());
            hashed.setIssuerFingerprint(false, key.publicKey());
            generator.setHashedSubpackets(hashed.generate());
            byte[] buffer = new byte[PgpEncryptor.BUFFER];
            int n;
            while ((n = data.read(buffer)) >= 0) {
                generator.update(buffer, 0, n);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
                generator.generate().encode(armor);
            }
            return bytes.toString(StandardCharsets.US_ASCII);
        } catch (PGPException e) {
            throw new IOException("OpenPGP signature failed: " + e.getMessage(), e);
        }
    }

    /** The outcome of {@link #verify}; {@code reason} is French and set when {@code valid} is false. */
    public record Verification(boolean valid, String signerFingerprint, String signingKeyId, Instant signedAt, String reason) {
        static Verification refused(String reason) {
            return new Verification(false, null, null, null, reason);
        }
    }

    /** Verifies a detached signature by {@code signer}, whose keys must be valid now. */
    public static Verification verify(InputStream data, InputStream armoredSignature, PGPPublicKeyRing signer) throws IOException {
        return verify(data, armoredSignature, signer, Clock.systemUTC());
    }

    public static Verification verify(InputStream data, InputStream armoredSignature, PGPPublicKeyRing signer, Clock clock)
            throws IOException {
        String signerFingerprint = PgpKeys.fingerprint(signer.getPublicKey());
        List<PGPPublicKey> signingKeys;
        try {
            signingKeys = PgpKeys.signingKeys(signer, "du signataire " + signerFingerprint, clock.instant());
        } catch (PgpException e) {
            return Verification.refused(e.reason());
        }
        PGPSignatureList signatures;
        try {
            Object object = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(armoredSignature)).nextObject();
            if (!(object instanceof PGPSignatureList list) || list.isEmpty()) {
                return Verification.refused("Le fichier ne contient pas de signature OpenPGP");
            }
            signatures = list;
        } catch (IOException | RuntimeException e) {
            return Verification.refused("Signature OpenPGP illisible");
        }
        for (PGPSignature signature : signatures) {
            for (PGPPublicKey key : signingKeys) {
                if (key.getKeyID() != signature.getKeyID()) {
                    continue;
                }
                if (!ACCEPTED_HASHES.contains(signature.getHashAlgorithm())) {
                    return Verification.refused("Algorithme de hachage de la signature refusé (" + signature.getHashAlgorithm() + ")");
                }
                if (signature.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
                    // text-mode signatures would need line-ending canonicalisation: not used here
                    return Verification.refused("Type de signature inattendu (document binaire attendu)");
                }
                try {
                    signature.init(new JcaPGPContentVerifierBuilderProvider(), key);
                    byte[] buffer = new byte[PgpEncryptor.BUFFER];
                    int n;
                    while ((n = data.read(buffer)) >= 0) {
                        signature.update(buffer, 0, n);
                    }
                    if (signature.verify()) {
                        return new Verification(true, signerFingerprint, PgpKeys.keyId(key),
                                signature.getCreationTime().toInstant(), null);
                    }
                    return Verification.refused("La signature ne correspond pas aux données (données ou signature altérées)");
                } catch (PGPException e) {
                    return Verification.refused("La signature ne correspond pas aux données (données ou signature altérées)");
                }
            }
        }
        return Verification.refused("La signature n'a pas été faite par la clé attendue (" + signerFingerprint + ")");
    }

}
