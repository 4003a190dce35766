package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Attack: two rows exchange their contents (each row intact, but in the wrong place). */
class LedgerRowsSwappedTest {

    @TempDir
    Path tmp;

    @Test
    void swappedRowsAreNamedAsReordered() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            db.swapRows(2, 3);
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(2);
            assertThat(v.problem()).isEqualTo("events reordered: position #2 holds event #3 "
                    + "(intact, but hashed for position #3)");
        }
    }

    @Test
    void distantSwapIsNamedToo() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(8);
            db.swapRows(7, 2);
            Verification v = db.ledger.verify();
            assertThat(v.firstBadSeq()).isEqualTo(2);
            assertThat(v.problem()).contains("position #2 holds event #7");
        }
    }
}
