package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Attack: an event is deleted from the middle (or the start) of the chain. */
class LedgerRowDeletedTest {

    @TempDir
    Path tmp;

    @Test
    void deletedRowIsNamedAsAGap() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            assertThat(db.sql("DELETE FROM ledger_event WHERE seq = 3")).isOne();
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(3);
            assertThat(v.problem()).isEqualTo("event #3 is missing (the chain jumps from #2 to #4)");
        }
    }

    @Test
    void deletedFirstRowIsNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(3);
            db.sql("DELETE FROM ledger_event WHERE seq = 1");
            Verification v = db.ledger.verify();
            assertThat(v.firstBadSeq()).isEqualTo(1);
            assertThat(v.problem()).contains("event #1 is missing");
        }
    }

    /** Deleting a row and renumbering the rest to hide the gap breaks the hashes (seq is hashed). */
    @Test
    void deletedRowWithRenumberingIsNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(5);
            db.sql("DELETE FROM ledger_event WHERE seq = 2");
            for (int s = 3; s <= 5; s++) {
                db.sql("UPDATE ledger_event SET seq = ? WHERE seq = ?", s - 1, s);
            }
            db.sql("UPDATE ledger_head SET last_seq = 4");
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(2);
            assertThat(v.problem()).contains("reordered");
        }
    }
}
