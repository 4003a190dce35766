package fedgate.partner;

/** The ways a partner can reach the gateway (DESIGN.md "The flow"). */
public enum Channel {
    /** A mail to the intake mailbox; the principal is the From address. */
    MAIL,
    /** A file dropped on the partner's SFTP drop-box; the principal is the SFTP account (= partner id). */
    SFTP,
    /** A message on {@code fed.requests.in}; the principal is the validated broker user (= partner id). */
    BROKER
}
