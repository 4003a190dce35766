package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Attack: an event is added with SQL, bypassing the ledger (at the end, correctly chained, or in the middle). */
class LedgerRowInsertedTest {

    @TempDir
    Path tmp;

    @Test
    void wellChainedRowAddedBesideTheLedgerIsNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(3);
            LedgerEvent last = db.ledger.events(3, 1).get(0);
            Instant at = Instant.parse("2027-06-02T00:00:00Z");
            String details = "{\"favorable\":true}";
            String hash = LedgerEvent.computeHash(4, at, "bureau", "FED-2027-000001", "feuillet2.decided", details,
                    last.hash());
            db.sql("INSERT INTO ledger_event (seq, at, actor, request_id, event_type, details, prev_hash, hash) "
                    + "VALUES (4, ?, 'bureau', 'FED-2027-000001', 'feuillet2.decided', ?, ?, ?)",
                    at.atOffset(ZoneOffset.UTC), details, last.hash(), hash);
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(4);
            assertThat(v.problem()).contains("beyond the ledger head #3");
        }
    }

    @Test
    void rowSlippedIntoTheMiddleIsNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(4);
            for (int s = 4; s >= 3; s--) {
                db.sql("UPDATE ledger_event SET seq = ? WHERE seq = ?", s + 1, s);
            }
            LedgerEvent second = db.ledger.events(2, 1).get(0);
            Instant at = second.at().plusMillis(10);
            String hash = LedgerEvent.computeHash(3, at, "bureau", null, "config.changed", "{}", second.hash());
            db.sql("INSERT INTO ledger_event (seq, at, actor, request_id, event_type, details, prev_hash, hash) "
                    + "VALUES (3, ?, 'bureau', NULL, 'config.changed', '{}', ?, ?)", at.atOffset(ZoneOffset.UTC), second.hash(), hash);
            db.sql("UPDATE ledger_head SET last_seq = 5");
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            // the slipped row is well formed; the displaced event #3 (now at #4) is where it shows
            assertThat(v.firstBadSeq()).isEqualTo(4);
        }
    }
}
