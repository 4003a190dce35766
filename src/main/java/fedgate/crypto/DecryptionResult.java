package fedgate.crypto;

import java.time.Instant;

/**
 * A message decrypted by {@link PgpDecryptor}: integrity (MDC) checked and signature verified.
 *
 * @param fileName            name from the literal data packet (informative only: never use it as a path)
 * @param modificationTime    time from the literal data packet
 * @param plainBytes          size of the plaintext
 * @param plainSha256         lower-case hex SHA-256 of the plaintext
 * @param signerFingerprint   primary key fingerprint of the signer
 * @param signingKeyId        16-hex-digit id of the key that made the signature (primary or subkey)
 * @param signedAt            signature creation time
 * @param symmetricAlgorithm  OpenPGP symmetric algorithm id (9 = AES-256)
 */
public record DecryptionResult(
        String fileName,
        Instant modificationTime,
        long plainBytes,
        String plainSha256,
        String signerFingerprint,
        String signingKeyId,
        Instant signedAt,
        int symmetricAlgorithm) {
}
