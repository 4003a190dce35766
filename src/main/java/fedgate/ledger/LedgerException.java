package fedgate.ledger;

/** The ledger cannot be written or read (database down, lock not obtained…): transient for the pipeline. */
public final class LedgerException extends RuntimeException {
    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
