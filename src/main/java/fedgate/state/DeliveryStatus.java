package fedgate.state;

/** Where one delivery stands (the request's own status follows: DELIVERED, RETRIEVED, FAILED). */
public enum DeliveryStatus {
    /** Being packaged or transferred; {@code attempts} and {@code last_error} say how it goes. */
    PENDING,
    /** Transferred (outbox or mail); the notice is sent right after. */
    DELIVERED,
    /** The partner downloaded the manifest and every encrypted file (SFTP retrieval receipts). */
    RETRIEVED,
    /** Refused (e.g. partner key) or out of attempts; the message is on fed.dlq for a replay. */
    FAILED
}
