package fedgate.crypto;

import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPRuntimeOperationException;
import org.bouncycastle.openpgp.operator.PGPContentSigner;
import org.bouncycastle.openpgp.operator.PGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyConverter;

/**
 * RSA / SHA-256 content signer that hashes the data once, with the JDK's SHA-256 (SHA-NI intrinsics).
 *
 * <p>Why: BC's {@code JcaPGPContentSignerBuilder} feeds every byte to both a {@code SHA256withRSA}
 * {@link Signature} and a separate digest calculator — two SHA-256 passes. Here one {@link MessageDigest}
 * is fed, and the final digest is signed with {@code NONEwithRSA} over the PKCS#1 DigestInfo, which is
 * the same RSASSA-PKCS1-v1_5 signature. {@link #dataDigest()} also gives the SHA-256 of the signed data
 * alone (before the signature trailer), so the plaintext hash of a delivery costs nothing extra.
 */
final class JdkRsaContentSignerBuilder implements PGPContentSignerBuilder {

    /** DER prefix of DigestInfo{sha256, NULL} (RFC 8017 §9.2 note 1). */
    private static final byte[] SHA256_DIGEST_INFO = {
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
    };

    private final MessageDigest digest;
    private byte[] dataDigest;

    JdkRsaContentSignerBuilder() {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean supports(int keyAlgorithm) {
        return keyAlgorithm == PublicKeyAlgorithmTags.RSA_GENERAL || keyAlgorithm == PublicKeyAlgorithmTags.RSA_SIGN;
    }

    /** SHA-256 of the bytes signed so far; call after the last data byte and before {@code generate()}. */
    byte[] snapshotDataDigest() {
        try {
            dataDigest = ((MessageDigest) digest.clone()).digest();
            return dataDigest;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public PGPContentSigner build(int signatureType, PGPPrivateKey pgpPrivateKey) throws PGPException {
        if (!supports(pgpPrivateKey.getPublicKeyPacket().getAlgorithm())) {
            throw new PGPException("not an RSA key");
        }
        PrivateKey privateKey = new JcaPGPKeyConverter().getPrivateKey(pgpPrivateKey);
        long keyId = pgpPrivateKey.getKeyID();
        int keyAlgorithm = pgpPrivateKey.getPublicKeyPacket().getAlgorithm();
        OutputStream digestOut = new OutputStream() {
            @Override
            public void write(int b) {
                digest.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                digest.update(b, off, len);
            }
        };
        return new PGPContentSigner() {
            private byte[] finalDigest;

            @Override
            public OutputStream getOutputStream() {
                return digestOut;
            }

            @Override
            public byte[] getSignature() {
                try {
                    byte[] hash = getDigest();
                    byte[] digestInfo = new byte[SHA256_DIGEST_INFO.length + hash.length];
                    System.arraycopy(SHA256_DIGEST_INFO, 0, digestInfo, 0, SHA256_DIGEST_INFO.length);
                    System.arraycopy(hash, 0, digestInfo, SHA256_DIGEST_INFO.length, hash.length);
                    Signature rsa = Signature.getInstance("NONEwithRSA");
                    rsa.initSign(privateKey);
                    rsa.update(digestInfo);
                    return rsa.sign();
                } catch (GeneralSecurityException e) {
                    throw new PGPRuntimeOperationException("Unable to create signature: " + e.getClass().getSimpleName(), e);
                }
            }

            @Override
            public byte[] getDigest() {
                if (finalDigest == null) {
                    finalDigest = digest.digest();
                }
                return finalDigest;
            }

            @Override
            public int getType() {
                return signatureType;
            }

            @Override
            public int getHashAlgorithm() {
                return HashAlgorithmTags.SHA256;
            }

            @Override
            public int getKeyAlgorithm() {
                return keyAlgorithm;
            }

            @Override
            public long getKeyID() {
                return keyId;
            }
        };
    }
}
