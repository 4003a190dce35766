package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Attack: the last events are deleted (nothing in the remaining chain links to them). */
class LedgerTailTruncatedTest {

    @TempDir
    Path tmp;

    @Test
    void truncatedTailIsCaughtByTheLedgerHead() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            assertThat(db.sql("DELETE FROM ledger_event WHERE seq >= 5")).isEqualTo(2);
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(5);
            assertThat(v.count()).isEqualTo(4);
            assertThat(v.problem()).isEqualTo("tail truncated: the ledger head records 6 event(s) but the chain ends at #4");
        }
    }

    /** The attacker also rewinds ledger_head: the signed head, which he cannot forge, still names the cut. */
    @Test
    void truncatedTailWithRewoundHeadIsCaughtByTheSignedHead() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            db.ledger.signHead(LedgerTestDb.cafSigningKey()); // head #6 signed, event #7 records it
            db.appendSome(3);
            assertThat(db.ledger.verify(LedgerTestDb.cafCertificate()).ok()).isTrue();

            String hash4 = db.queryString("SELECT hash FROM ledger_event WHERE seq = 4");
            db.sql("DELETE FROM ledger_event WHERE seq > 4");
            db.sql("UPDATE ledger_head SET last_seq = 4, last_hash = ?", hash4);
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(5);
            assertThat(v.problem()).startsWith("tail truncated: head #6 was signed at 2027-06-01T08:00:")
                    .endsWith("but the chain ends at #4");
        }
    }

    /** Cutting exactly the ledger.head.signed event that records the latest signature is caught as well. */
    @Test
    void truncatedSignatureEventIsCaught() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(3);
            db.ledger.signHead(LedgerTestDb.cafSigningKey()); // head #3, event #4
            String hash3 = db.queryString("SELECT hash FROM ledger_event WHERE seq = 3");
            db.sql("DELETE FROM ledger_event WHERE seq = 4");
            db.sql("UPDATE ledger_head SET last_seq = 3, last_hash = ?", hash3);
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(4);
        }
    }
}
