package fedgate.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePublicKeyKeyEncryptionMethodGenerator;

/**
 * Signs with the CAF's key and encrypts to a partner's key, streaming, in constant memory.
 *
 * <p>Message: {@code PKESK(partner subkey) · SEIPD v1 [ (compressed) [ one-pass-sig · literal · sig ] ] · MDC},
 * AES-256-CFB, signature RSA/SHA-256 over the binary document — what GnuPG 2.2 reads
 * ({@code DECRYPTION_INFO 2 9}). The bulk cipher is SunJCE's AES (AES-NI), the signature hash, the MDC SHA-1
 * and the output SHA-256 are the JDK's (SHA-NI). With {@linkplain #withPipeline(boolean) the pipeline} (default
 * on) the work runs on three threads: read + signature hash; MDC + AES; output hash + write.
 *
 * <p>Instances are immutable and thread-safe; each call builds its own generators.
 */
public final class PgpEncryptor {

    /** Compression inside the encryption. NONE by default: extracts are small and CSV compresses at ≈ 50 MB/s only. */
    public enum Compression {
        NONE, ZLIB
    }

    static final int BUFFER = 1 << 16;
    private static final int PIPE_DEPTH = 4;

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
        HashingOutputStream sink = new HashingOutputStream(out);
        PipeStage writeStage = null;
        PipeStage encryptStage = null;
        try {
            OutputStream toSink = sink;
            if (pipeline) {
                toSink = writeStage = new PipeStage(sink, BUFFER, PIPE_DEPTH, "pgp-write");
            }
            OutputStream armorOut = armor ? new ArmoredOutputStream(toSink) : toSink;

            PGPEncryptedDataGenerator encGen = new PGPEncryptedDataGenerator(
                    new JdkMdcDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256, random, pipeline));
            encGen.addMethod(new JcePublicKeyKeyEncryptionMethodGenerator(recipient.encryptionKey()).setSecureRandom(random));
            OutputStream encOut = encGen.open(armorOut, new byte[BUFFER]);
            PGPCompressedDataGenerator compGen = compression == Compression.ZLIB
                    ? new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZLIB) : null;
            OutputStream body = compGen != null ? compGen.open(encOut, new byte[BUFFER]) : encOut;

            OutputStream tail = armorOut;
            OutputStream last = toSink;
            OutputStream inner = new ClosingChain(body, () -> {
                if (compGen != null) {
                    compGen.close();
                }
                encGen.close();
                if (tail != last) {
                    tail.close(); // armor footer
                }
                last.close(); // waits for the write stage, when there is one
            });
            OutputStream packets = inner;
            if (pipeline) {
                packets = encryptStage = new PipeStage(inner, BUFFER, PIPE_DEPTH, "pgp-encrypt");
            }

            // one-pass signature, on the caller's thread
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

            PGPLiteralDataGenerator litGen = new PGPLiteralDataGenerator();
            OutputStream literal = litGen.open(packets, PGPLiteralData.BINARY, fileName, new Date(modTimeMillis), new byte[BUFFER]);
            byte[] buffer = new byte[BUFFER];
            long plainBytes = 0;
            int n;
            while ((n = plain.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                sigGen.update(buffer, 0, n);
                if (plainDigest != null) {
                    plainDigest.update(buffer, 0, n);
                }
                literal.write(buffer, 0, n);
                plainBytes += n;
            }
            litGen.close();
            byte[] plainSha = fastSigner ? jdkSigner.snapshotDataDigest() : plainDigest.digest();
            sigGen.generate().encode(packets);
            packets.close(); // closes compression, encryption, armor and the write stage, in that order

            return new EncryptionResult(plainBytes, sink.count(), HexFormat.of().formatHex(plainSha), sink.sha256Hex(),
                    recipient.fingerprint(), recipient.encryptionKeyFingerprint(), PgpKeys.keyId(recipient.encryptionKey()),
                    signer.fingerprint(), compression, armor);
        } catch (PGPException | GeneralSecurityException e) {
            abort(encryptStage, writeStage);
            throw new IOException("OpenPGP sign and encrypt failed: " + e.getMessage(), e);
        } catch (IOException | RuntimeException | Error e) {
            abort(encryptStage, writeStage);
            throw e;
        }
    }

    private static void abort(PipeStage... stages) {
        for (PipeStage stage : stages) {
            if (stage != null) {
                stage.abort();
            }
        }
    }

    private static void checkFileName(String fileName) {
        if (fileName == null || fileName.isEmpty() || fileName.indexOf('/') >= 0 || fileName.indexOf('\\') >= 0
                || fileName.indexOf('\0') >= 0 || fileName.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("literal file name must be a base name of at most 255 bytes");
        }
    }

    /** Passes writes to {@code body}; on close runs {@code finish} (generators closed innermost first). */
    private static final class ClosingChain extends OutputStream {
        interface Finish {
            void run() throws IOException;
        }

        private final OutputStream body;
        private final Finish finish;

        ClosingChain(OutputStream body, Finish finish) {
            this.body = body;
            this.finish = finish;
        }

        @Override
        public void write(int b) throws IOException {
            body.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            body.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            finish.run();
        }
    }
}
