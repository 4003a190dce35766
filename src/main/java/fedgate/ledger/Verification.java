package fedgate.ledger;

/**
 * The outcome of {@link AuditLedger#verify}.
 *
 * @param ok                 the whole chain recomputes, nothing is missing, reordered, truncated or added beside
 *                           the ledger, and every signed head is on the chain (and its signature valid, when checked)
 * @param count              events checked
 * @param firstBadSeq        the first event found altered, missing, out of place…; {@code null} when {@code ok}
 * @param problem            what is wrong, in English, naming the event; {@code null} when {@code ok}
 * @param headHash           hash of the last event checked (the genesis hash for an empty ledger)
 * @param signaturesChecked  signed heads whose OpenPGP signature was verified (0 when no CAF certificate was given)
 */
public record Verification(boolean ok, long count, Long firstBadSeq, String problem, String headHash,
                           int signaturesChecked) {

    static Verification broken(long count, long firstBadSeq, String problem, String headHash, int signaturesChecked) {
        return new Verification(false, count, firstBadSeq, problem, headHash, signaturesChecked);
    }

    /** One line for a terminal or a log (English). */
    public String summary() {
        return ok ? "ledger intact: " + count + " event(s), head " + headHash + ", " + signaturesChecked
                + " head signature(s) verified"
                : "LEDGER BROKEN at event #" + firstBadSeq + ": " + problem;
    }
}
