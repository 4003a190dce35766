package fedgate.crypto;

/**
 * A refused OpenPGP operation. {@link #reason()} is a French sentence fit for the partner or the Bureau
 * d'Études; it never holds a secret (passphrase, key material, plaintext).
 */
public class PgpException extends Exception {

    /** Why an operation was refused; stable codes for routes, receipts and tests. */
    public enum Code {
        FINGERPRINT_MISMATCH,
        KEY_EXPIRED,
        KEY_REVOKED,
        NO_ENCRYPTION_KEY,
        NO_SIGNING_KEY,
        WRONG_PASSPHRASE,
        UNREADABLE_KEY,
        NOT_FOR_OUR_KEY,
        NOT_INTEGRITY_PROTECTED,
        INTEGRITY_CHECK_FAILED,
        WEAK_ALGORITHM,
        MALFORMED_MESSAGE,
        MISSING_SIGNATURE,
        BAD_SIGNATURE,
        UNEXPECTED_SIGNER
    }

    private final Code code;
    private final String reason;

    public PgpException(Code code, String reason) {
        this(code, reason, null);
    }

    public PgpException(Code code, String reason, Throwable cause) {
        super(code + ": " + reason, cause);
        this.code = code;
        this.reason = reason;
    }

    public Code code() {
        return code;
    }

    /** French, user-facing reason. */
    public String reason() {
        return reason;
    }
}
