package fedgate.ledger;

import java.time.Instant;

/**
 * A chain head signed with the CAF's key: the armored detached OpenPGP signature covers the UTF-8 bytes of
 * {@link #canonicalText()}.
 */
public record SignedHead(long seq, String hash, Instant signedAt, String signerFingerprint, String signature) {

    public String canonicalText() {
        return canonicalText(seq, hash, signedAt);
    }

    /** {@code fedgate-ledger-head seq=<seq> hash=<hash> at=<UTC time, 3 decimals>} (no trailing newline). */
    public static String canonicalText(long seq, String hash, Instant signedAt) {
        return "fedgate-ledger-head seq=" + seq + " hash=" + hash + " at=" + LedgerEvent.formatTime(signedAt);
    }
}
