package fedgate.crypto;

import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.operator.PGPDataEncryptor;
import org.bouncycastle.openpgp.operator.PGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

/**
 * SEIPD v1 (AES-CFB + MDC) data encryptor whose cipher AND modification-detection SHA-1 both run on the
 * JDK providers. BC's {@link JcePGPDataEncryptorBuilder} without a provider already uses SunJCE's AES
 * (AES-NI), but its MDC is BC's pure-Java SHA-1 (≈ 230 MB/s here) — the bottleneck of the whole
 * pipeline. The JDK's SHA-1 runs at ≈ 1.5 GB/s.
 */
final class JdkMdcDataEncryptorBuilder implements PGPDataEncryptorBuilder {

    private final JcePGPDataEncryptorBuilder delegate;
    private final boolean asyncMdc;

    /**
     * @param asyncMdc hash the MDC on its own thread, so that the encryption thread runs AES only
     */
    JdkMdcDataEncryptorBuilder(int symmetricAlgorithm, SecureRandom random, boolean asyncMdc) {
        this.asyncMdc = asyncMdc;
        // NO setProvider("BC"): SunJCE's AES uses the processor's AES instructions
        this.delegate = new JcePGPDataEncryptorBuilder(symmetricAlgorithm).setWithIntegrityPacket(true).setSecureRandom(random);
    }

    @Override
    public PGPDataEncryptor build(byte[] keyBytes) throws PGPException {
        PGPDataEncryptor encryptor = delegate.build(keyBytes);
        return new PGPDataEncryptor() {
            @Override
            public OutputStream getOutputStream(OutputStream out) {
                return encryptor.getOutputStream(out);
            }

            @Override
            public PGPDigestCalculator getIntegrityCalculator() {
                return new JdkSha1Calculator(asyncMdc);
            }

            @Override
            public int getBlockSize() {
                return encryptor.getBlockSize();
            }
        };
    }

    @Override
    public PGPDataEncryptor build(byte[] keyBytes, byte[] associatedData) throws PGPException {
        throw new PGPException("AEAD is not used: GnuPG 2.2 reads SEIPD v1 only");
    }

    @Override
    public int getAlgorithm() {
        return delegate.getAlgorithm();
    }

    @Override
    public int getAeadAlgorithm() {
        return delegate.getAeadAlgorithm();
    }

    @Override
    public int getChunkSize() {
        return delegate.getChunkSize();
    }

    @Override
    public boolean isV5StyleAEAD() {
        return false;
    }

    @Override
    public SecureRandom getSecureRandom() {
        return delegate.getSecureRandom();
    }

    @Override
    public PGPDataEncryptorBuilder setWithIntegrityPacket(boolean withIntegrityPacket) {
        if (!withIntegrityPacket) {
            throw new IllegalArgumentException("integrity protection is mandatory");
        }
        return this;
    }

    @Override
    public PGPDataEncryptorBuilder setWithAEAD(int aeadAlgorithm, int chunkSize) {
        throw new UnsupportedOperationException("AEAD is not used: GnuPG 2.2 reads SEIPD v1 only");
    }

    @Override
    public PGPDataEncryptorBuilder setUseV5AEAD() {
        throw new UnsupportedOperationException("AEAD is not used: GnuPG 2.2 reads SEIPD v1 only");
    }

    @Override
    public PGPDataEncryptorBuilder setUseV6AEAD() {
        throw new UnsupportedOperationException("AEAD is not used: GnuPG 2.2 reads SEIPD v1 only");
    }

    private static final class JdkSha1Calculator implements PGPDigestCalculator {
        private final MessageDigest sha1;
        private final boolean async;
        private PipeStage stage;
        private byte[] digest;

        JdkSha1Calculator(boolean async) {
            this.async = async;
            try {
                sha1 = MessageDigest.getInstance("SHA-1");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int getAlgorithm() {
            return HashAlgorithmTags.SHA1;
        }

        @Override
        public OutputStream getOutputStream() {
            OutputStream direct = new OutputStream() {
                @Override
                public void write(int b) {
                    sha1.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    sha1.update(b, off, len);
                }
            };
            if (!async) {
                return direct;
            }
            if (stage == null) {
                stage = new PipeStage(direct, PgpEncryptor.BUFFER, 4, "pgp-mdc");
            }
            return stage;
        }

        @Override
        public byte[] getDigest() {
            if (digest == null) {
                if (stage != null) {
                    try {
                        stage.close(); // waits until the MDC thread has hashed everything
                    } catch (java.io.IOException e) {
                        throw new org.bouncycastle.openpgp.PGPRuntimeOperationException("MDC hashing failed", e);
                    }
                }
                digest = sha1.digest();
            }
            return digest;
        }

        @Override
        public void reset() {
            sha1.reset();
            digest = null;
        }
    }
}
