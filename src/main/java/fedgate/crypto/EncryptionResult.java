package fedgate.crypto;

/**
 * What {@link PgpEncryptor#signAndEncrypt} produced, for the delivery manifest.
 *
 * @param plainBytes                size of the plaintext
 * @param encryptedBytes            size of the OpenPGP output (armored or binary, as written)
 * @param plainSha256               lower-case hex SHA-256 of the plaintext
 * @param encryptedSha256           lower-case hex SHA-256 of the output bytes
 * @param recipientFingerprint      the partner's primary key fingerprint (the pinned one)
 * @param recipientKeyFingerprint   fingerprint of the encryption subkey actually used
 * @param recipientKeyId            its 16-hex-digit key id (what {@code gpg --list-packets} shows)
 * @param signerFingerprint         the CAF's primary key fingerprint
 * @param compression               compression applied inside the encryption
 * @param armored                   whether the output is ASCII-armored
 */
public record EncryptionResult(
        long plainBytes,
        long encryptedBytes,
        String plainSha256,
        String encryptedSha256,
        String recipientFingerprint,
        String recipientKeyFingerprint,
        String recipientKeyId,
        String signerFingerprint,
        PgpEncryptor.Compression compression,
        boolean armored) {
}
