package fedgate.delivery;

/**
 * A delivery that cannot be made. {@link #reason()} is a French sentence for the Bureau d'Études or the partner;
 * it never holds a secret (passphrase, key material, file content).
 */
public class DeliveryException extends Exception {

    /** Stable codes for routes, status and tests. */
    public enum Code {
        /** A file name is not a bare name of {@code [A-Za-z0-9._-]} (or contains "..", or starts with a dot or hyphen). */
        INVALID_FILE_NAME,
        /** Two files of one delivery have the same name. */
        DUPLICATE_FILE_NAME,
        /** A listed source is missing, a directory, a link or not a regular file. */
        NOT_A_FILE,
        /** Nothing to deliver. */
        NO_FILES,
        /** The extract directory has no disclosure report. */
        MISSING_DISCLOSURE_REPORT,
        /** The disclosure report says the extract was refused by the audit: it is never delivered. */
        EXTRACT_REFUSED,
        /** The partner key is expired, revoked or does not match the pinned fingerprint. */
        KEY_REFUSED,
        /** The usage terms name another partner than the key. */
        RECIPIENT_MISMATCH,
        /** The output directory holds files that are not part of a delivery. */
        OUTPUT_NOT_EMPTY,
        /** The output directory holds a complete delivery with another id. */
        OTHER_DELIVERY_IN_OUTPUT,
        /** This delivery id already exists with other content: a new version is needed. */
        CONFLICTING_DELIVERY,
        /** This delivery id exists but its files no longer match its manifest. */
        EXISTING_DELIVERY_DAMAGED,
        /** A request id, ad-hoc reference or version is malformed. */
        INVALID_ID,
        /** A manifest is not valid JSON or does not follow {@code delivery-manifest.schema.json}. */
        INVALID_MANIFEST,
        /** A delivery order (the {@code fed.deliver} message) is malformed. */
        INVALID_ORDER,
        /** The partner is not in the registry, or has no OpenPGP key on file. */
        UNKNOWN_PARTNER,
        /** The request is unknown, belongs to another partner, or is not in a state that allows a delivery. */
        REQUEST_NOT_DELIVERABLE
    }

    private final Code code;
    private final String reason;

    public DeliveryException(Code code, String reason) {
        this(code, reason, null);
    }

    public DeliveryException(Code code, String reason, Throwable cause) {
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
