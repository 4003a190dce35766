package fedgate.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PacketFormat;
import org.bouncycastle.bcpg.PacketTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyKeyEncryptionMethodGenerator;

/**
 * Signs with the CAF's key and encrypts to a partner's key, streaming, in constant memory.
 *
 * <p>Message: {@code PKESK(partner subkey) · SEIPD v1 [ (compressed) [ one-pass-sig · literal · sig ] ] · MDC},
 * AES-256-CFB, signature RSA/SHA-256 over the binary document — what GnuPG 2.2 reads
 * ({@code DECRYPTION_INFO 2 9}). Bouncy Castle builds the PKESK, the one-pass signature and the signature packet
 * (and the compressed packet, when asked); the literal data packet (256 KiB partial bodies) and the SEIPD packet
 * (1 MiB partial bodies) are framed here, in large buffers ({@link SeipdOutput}). The signature hash, the MDC
 * SHA-1 and the output SHA-256 are the JDK's (SHA-NI); AES-CFB is computed with the JDK's AES/CBC (AES-NI,
 * {@link OpenPgpCfb}). With {@linkplain #withPipeline(boolean) the pipeline} (default on) the work runs on two
 * threads: the caller's reads, hashes the signature and the MDC, and writes; a worker encrypts and hashes the output.
 *
 * <p>Instances are immutable and thread-safe; each call builds its own generators.
 */
public final class PgpEncryptor {

    /** Compression inside the encryption. NONE by default: extracts are small and CSV compresses at ≈ 50 MB/s only. */
    public enum Compression {
        NONE, ZLIB
    }

    static final int BUFFER = 1 << 16;
    /** Partial body size of the literal data packet (also the read size). */
    static final int LITERAL_PART = 1 << 18;

    private final SigningKey signer;
    private final PartnerKey recipient;
    private final Compression compression;
    private final boolean armor;
    private final boolean pipeline;
    private final SecureRandom random;

    public PgpEncryptor(SigningKey signer, PartnerKey recipient) {
        this(signer, recipient, Compression.NONE, false, true, new SecureRandom());
    }

    private PgpEncryptor(SigningKey signer, PartnerKey recipient, Compression compression, boolean armor, boolean pipeline,
            SecureRandom random) {
        this.signer = Objects.requireNonNull(signer, "signer");
        this.recipient = Objects.requireNonNull(recipient, "recipient");
        this.compression = Objects.requireNonNull(compression, "compression");
        this.armor = armor;
        this.pipeline = pipeline;
        this.random = random;
    }

    public PgpEncryptor withCompression(Compression compression) {
        return new PgpEncryptor(signer, recipient, compression, armor, pipeline, random);
    }

    /** ASCII armor ({@code -----BEGIN PGP MESSAGE-----}) instead of binary packets. */
    public PgpEncryptor withArmor(boolean armor) {
        return new PgpEncryptor(signer, recipient, compression, armor, pipeline, random);
    }

    /** Spread the work over worker threads (default true); false runs everything on the caller's thread. */
    public PgpEncryptor withPipeline(boolean pipeline) {
        return new PgpEncryptor(signer, recipient, compression, armor, pipeline, random);
    }

    /**
     * Reads {@code plain} to its end and writes the signed and encrypted message to {@code out}.
     * Neither stream is closed. On an exception the output is incomplete and must be discarded
     * (delivery writes to a temporary name and renames on success).
     *
     * @param fileName        name stored in the literal data packet (a base name: no path, at most 255 bytes)
     * @param modTimeMillis   modification time stored in the literal data packet, epoch milliseconds
     *                        (OpenPGP keeps seconds)
     */
    public EncryptionResult signAndEncrypt(InputStream plain, OutputStream out, String fileName, long modTimeMillis)
            throws IOException {
        checkFileName(fileName);
        SeipdOutput seipd = null;
        try {
            // armored: the manifest's size and hash are those of the armored text
            HashingOutputStream armoredSink = armor ? new HashingOutputStream(out) : null;
            ArmoredOutputStream armorOut = armor ? new ArmoredOutputStream(armoredSink) : null;
            byte[] sessionKey = new byte[32];
            random.nextBytes(sessionKey);
            byte[] pkesk = new JcePublicKeyKeyEncryptionMethodGenerator(recipient.encryptionKey()).setSecureRandom(random)
                    .generate(new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true),
                            sessionKey)
                    .getEncoded(PacketFormat.CURRENT);
            seipd = new SeipdOutput(armor ? armorOut : out, pkesk, sessionKey, random, pipeline);
            Arrays.fill(sessionKey, (byte) 0);

            PGPCompressedDataGenerator compGen = compression == Compression.ZLIB
                    ? new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZLIB) : null;
            OutputStream packets = compGen != null ? compGen.open(seipd, new byte[BUFFER]) : seipd;

            boolean fastSigner = JdkRsaContentSignerBuilder.supports(signer.publicKey().getAlgorithm());
            JdkRsaContentSignerBuilder jdkSigner = fastSigner ? new JdkRsaContentSignerBuilder() : null;
            PGPContentSignerBuilder signerBuilder = fastSigner ? jdkSigner
                    : new JcaPGPContentSignerBuilder(signer.publicKey().getAlgorithm(), HashAlgorithmTags.SHA256);
            MessageDigest plainDigest = fastSigner ? null : MessageDigest.getInstance("SHA-256");
            PGPSignatureGenerator sigGen = new PGPSignatureGenerator(signerBuilder, signer.publicKey());
            sigGen.init(PGPSignature.BINARY_DOCUMENT, signer.privateKey());
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(true, new Date());
            hashed.setIssuerFingerprint(false, signer.publicKey());
            sigGen.setHashedSubpackets(hashed.generate());
            sigGen.generateOnePassVersion(false).encode(packets);

            long plainBytes = writeLiteral(plain, packets, fileName, modTimeMillis, sigGen, plainDigest);
            byte[] plainSha = fastSigner ? jdkSigner.snapshotDataDigest() : plainDigest.digest();
            sigGen.generate().encode(packets);
            if (compGen != null) {
                compGen.close();
            }
            seipd.finish(); // MDC, last buffers
            long encryptedBytes = seipd.count();
            String encryptedSha = HexFormat.of().formatHex(seipd.sha256());
            if (armor) {
                armorOut.close(); // armor footer; leaves out open
                encryptedBytes = armoredSink.count();
                encryptedSha = armoredSink.sha256Hex();
            }

            return new EncryptionResult(plainBytes, encryptedBytes, HexFormat.of().formatHex(plainSha), encryptedSha,
                    recipient.fingerprint(), recipient.encryptionKeyFingerprint(), PgpKeys.keyId(recipient.encryptionKey()),
                    signer.fingerprint(), compression, armor);
        } catch (PGPException | GeneralSecurityException e) {
            abort(seipd);
            throw new IOException("OpenPGP sign and encrypt failed: " + e.getMessage(), e);
        } catch (IOException | RuntimeException | Error e) {
            abort(seipd);
            throw e;
        }
    }

    /**
     * Literal data packet (tag 11, binary), new format, in {@value #LITERAL_PART}-byte partial bodies; the last
     * part has a definite length (0 when the data ends exactly on a part boundary, as Bouncy Castle also writes).
     * Returns the number of data bytes.
     */
    private static long writeLiteral(InputStream plain, OutputStream packets, String fileName, long modTimeMillis,
            PGPSignatureGenerator sigGen, MessageDigest plainDigest) throws IOException {
        byte[] name = fileName.getBytes(StandardCharsets.UTF_8);
        long seconds = modTimeMillis / 1000;
        byte[] fields = new byte[1 + 1 + name.length + 4];
        fields[0] = PGPLiteralData.BINARY;
        fields[1] = (byte) name.length;
        System.arraycopy(name, 0, fields, 2, name.length);
        for (int i = 0; i < 4; i++) {
            fields[2 + name.length + i] = (byte) (seconds >>> (24 - 8 * i));
        }
        byte[] data = new byte[LITERAL_PART];
        byte[] header = new byte[6];
        long total = 0;
        boolean firstPart = true;
        while (true) {
            int want = firstPart ? LITERAL_PART - fields.length : LITERAL_PART;
            int n = readFully(plain, data, want);
            if (n > 0) {
                sigGen.update(data, 0, n);
                if (plainDigest != null) {
                    plainDigest.update(data, 0, n);
                }
            }
            int h = 0;
            if (firstPart) {
                header[h++] = (byte) (0xC0 | PacketTags.LITERAL_DATA);
            }
            h = n == want ? putPartialLength(header, h) : SeipdOutput.putLength(header, h, (firstPart ? fields.length : 0) + n);
            packets.write(header, 0, h);
            if (firstPart) {
                packets.write(fields);
            }
            packets.write(data, 0, n);
            total += n;
            firstPart = false;
            if (n < want) {
                return total;
            }
        }
    }

    private static int putPartialLength(byte[] b, int off) {
        b[off++] = (byte) (0xE0 | Integer.numberOfTrailingZeros(LITERAL_PART));
        return off;
    }

    private static int readFully(InputStream in, byte[] b, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = in.read(b, n, len - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    private static void abort(SeipdOutput seipd) {
        if (seipd != null) {
            seipd.abort();
        }
    }

    private static void checkFileName(String fileName) {
        if (fileName == null || fileName.isEmpty() || fileName.indexOf('/') >= 0 || fileName.indexOf('\\') >= 0
                || fileName.indexOf('\0') >= 0 || fileName.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("literal file name must be a base name of at most 255 bytes");
        }
    }
}
