package fedgate.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;

/**
 * Data signed by a partner, as {@code gpg} makes it: an inline-signed OpenPGP message ({@code gpg --sign}, armored
 * or not, compressed or not) or a detached signature ({@code gpg --detach-sign}, binary or text mode, e.g. the
 * signature part of a PGP/MIME mail). Verified against one key ring only (the partner's pinned key), whose keys
 * must be valid now; every refusal has a French reason.
 */
public final class SignedData {

    private static final Set<Integer> ACCEPTED_HASHES = Set.of(
            HashAlgorithmTags.SHA224, HashAlgorithmTags.SHA256, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA512);
    private static final byte[] ARMOR = "-----BEGIN PGP MESSAGE-----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIGNATURE_ARMOR = "-----BEGIN PGP SIGNATURE-----".getBytes(StandardCharsets.US_ASCII);

    /**
     * The outcome: {@code content} is the signed data (the literal data of an inline-signed message), set whenever
     * it could be read; {@code signerFingerprint} is set only when the signature verified, {@code reason} (French)
     * when it did not.
     */
    public record Verification(byte[] content, String signerFingerprint, String reason) {
        public boolean valid() {
            return signerFingerprint != null;
        }
    }

    private SignedData() {
    }

    /**
     * Whether {@code raw} is an OpenPGP message (armored {@code PGP MESSAGE}, or a binary one starting with a
     * compressed-data or one-pass-signature packet): only those are read as inline-signed messages, every other
     * document goes to the document readers unchanged.
     */
    public static boolean isOpenPgpMessage(byte[] raw) {
        if (raw.length == 0) {
            return false;
        }
        int start = 0;
        while (start < raw.length && start < 64 && Character.isWhitespace(raw[start])) {
            start++;
        }
        if (raw.length - start >= ARMOR.length && java.util.Arrays.equals(raw, start, start + ARMOR.length, ARMOR, 0,
                ARMOR.length)) {
            return true;
        }
        int tag = packetTag(raw[0]);
        return tag == 8 || tag == 4; // compressed data, one-pass signature
    }

    /** Whether {@code raw} is a detached OpenPGP signature alone (armored, or a binary signature packet). */
    public static boolean isDetachedSignature(byte[] raw) {
        int start = 0;
        while (start < raw.length && start < 64 && Character.isWhitespace(raw[start])) {
            start++;
        }
        if (raw.length - start >= SIGNATURE_ARMOR.length && java.util.Arrays.equals(raw, start,
                start + SIGNATURE_ARMOR.length, SIGNATURE_ARMOR, 0, SIGNATURE_ARMOR.length)) {
            return true;
        }
        return raw.length > 0 && packetTag(raw[0]) == 2;
    }

    private static int packetTag(byte first) {
        int b = first & 0xff;
        if ((b & 0x80) == 0) {
            return -1;
        }
        return (b & 0x40) != 0 ? b & 0x3f : (b >> 2) & 0x0f;
    }

    /**
     * Reads an inline-signed message and verifies it against {@code signer} (null: read only, "no key" reason).
     * At most {@code maxBytes} of signed data are read (a compressed message could expand without bound).
     */
    public static Verification inline(byte[] raw, PGPPublicKeyRing signer, Clock clock, long maxBytes) {
        try {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(raw)));
            Object object = factory.nextObject();
            if (object instanceof PGPCompressedData compressed) {
                factory = new JcaPGPObjectFactory(compressed.getDataStream());
                object = factory.nextObject();
            }
            if (!(object instanceof PGPOnePassSignatureList list) || list.isEmpty()) {
                return new Verification(null, null, "Le message OpenPGP reçu n'est pas un message signé "
                        + "(signature « gpg --sign » attendue)");
            }
            PGPOnePassSignature onePass = list.get(0);
            Object next = factory.nextObject();
            if (!(next instanceof PGPLiteralData literal)) {
                return new Verification(null, null, "Le message OpenPGP signé ne contient pas de données");
            }
            PGPPublicKey key = null;
            String refusal = null;
            if (signer == null) {
                refusal = "Aucune clé OpenPGP n'est enregistrée pour vérifier la signature";
            } else {
                try {
                    key = matching(signer, onePass.getKeyID(), clock);
                } catch (PgpException e) {
                    refusal = e.reason();
                }
                if (key == null && refusal == null) {
                    refusal = notByExpectedKey(signer);
                }
                if (refusal == null && !ACCEPTED_HASHES.contains(onePass.getHashAlgorithm())) {
                    refusal = "Algorithme de hachage de la signature refusé (" + onePass.getHashAlgorithm() + ")";
                }
            }
            if (refusal == null) {
                onePass.init(new JcaPGPContentVerifierBuilderProvider(), key);
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            try (InputStream in = literal.getDataStream()) {
                byte[] buffer = new byte[PgpEncryptor.BUFFER];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (content.size() + (long) n > maxBytes) {
                        return new Verification(null, null, String.format("Les données signées dépassent la taille "
                                + "maximale acceptée (%d octets)", maxBytes));
                    }
                    content.write(buffer, 0, n);
                    if (refusal == null) {
                        onePass.update(buffer, 0, n);
                    }
                }
            }
            byte[] data = content.toByteArray();
            if (refusal != null) {
                return new Verification(data, null, refusal);
            }
            Object sigs = factory.nextObject();
            if (!(sigs instanceof PGPSignatureList signatures) || signatures.isEmpty()) {
                return new Verification(data, null, "Le message OpenPGP signé est tronqué (signature absente)");
            }
            return onePass.verify(signatures.get(0))
                    ? new Verification(data, PgpKeys.fingerprint(signer.getPublicKey()), null)
                    : new Verification(data, null, altered());
        } catch (IOException | PGPException | RuntimeException e) {
            return new Verification(null, null, "Le message OpenPGP signé est illisible ou altéré");
        }
    }

    /**
     * Verifies a detached signature of {@code data} by {@code signer}. A text-mode signature (RFC 3156 mail parts)
     * is checked over the data with CRLF line endings, a binary one over the bytes as they are.
     */
    public static Verification detached(byte[] data, byte[] signature, PGPPublicKeyRing signer, Clock clock) {
        if (signer == null) {
            return new Verification(data, null, "Aucune clé OpenPGP n'est enregistrée pour vérifier la signature");
        }
        PGPSignatureList signatures;
        try {
            Object object = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(signature)))
                    .nextObject();
            if (!(object instanceof PGPSignatureList list) || list.isEmpty()) {
                return new Verification(data, null, "La signature jointe n'est pas une signature OpenPGP");
            }
            signatures = list;
        } catch (IOException | RuntimeException e) {
            return new Verification(data, null, "La signature OpenPGP jointe est illisible");
        }
        for (PGPSignature sig : signatures) {
            PGPPublicKey key;
            try {
                key = matching(signer, sig.getKeyID(), clock);
            } catch (PgpException e) {
                return new Verification(data, null, e.reason());
            }
            if (key == null) {
                continue;
            }
            if (!ACCEPTED_HASHES.contains(sig.getHashAlgorithm())) {
                return new Verification(data, null, "Algorithme de hachage de la signature refusé ("
                        + sig.getHashAlgorithm() + ")");
            }
            byte[] signed = switch (sig.getSignatureType()) {
                case PGPSignature.BINARY_DOCUMENT -> data;
                case PGPSignature.CANONICAL_TEXT_DOCUMENT -> crlf(data);
                default -> null;
            };
            if (signed == null) {
                return new Verification(data, null, "Type de signature inattendu (signature de document attendue)");
            }
            try {
                sig.init(new JcaPGPContentVerifierBuilderProvider(), key);
                sig.update(signed);
                return sig.verify() ? new Verification(data, PgpKeys.fingerprint(signer.getPublicKey()), null)
                        : new Verification(data, null, altered());
            } catch (PGPException | RuntimeException e) {
                return new Verification(data, null, altered());
            }
        }
        return new Verification(data, null, notByExpectedKey(signer));
    }

    /** The signing-capable key of {@code ring} with this key id, valid now; null when none has it. */
    private static PGPPublicKey matching(PGPPublicKeyRing ring, long keyId, Clock clock) throws PgpException {
        List<PGPPublicKey> keys = PgpKeys.signingKeys(ring, "du partenaire (" + PgpKeys.fingerprint(ring.getPublicKey())
                + ")", clock.instant());
        return keys.stream().filter(k -> k.getKeyID() == keyId).findFirst().orElse(null);
    }

    private static String notByExpectedKey(PGPPublicKeyRing signer) {
        return "La signature n'a pas été faite avec la clé OpenPGP enregistrée pour le référent ("
                + PgpKeys.fingerprint(signer.getPublicKey()) + ")";
    }

    private static String altered() {
        return "La signature ne correspond pas aux données (données ou signature altérées)";
    }

    /** Line endings as CRLF (bare LF and bare CR become CRLF), the canonical text form of RFC 4880 § 5.2.1. */
    static byte[] crlf(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + data.length / 40);
        for (int i = 0; i < data.length; i++) {
            byte b = data[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < data.length && data[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
