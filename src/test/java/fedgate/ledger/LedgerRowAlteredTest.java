package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Attack: a row's content is changed directly in the database. */
class LedgerRowAlteredTest {

    @TempDir
    Path tmp;

    @Test
    void alteredDetailsAreNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            assertThat(db.sql("UPDATE ledger_event SET details = ? WHERE seq = 4", "{\"note\":\"forged\",\"step\":4}"))
                    .isOne();
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(4);
            assertThat(v.count()).isEqualTo(3);
            assertThat(v.problem()).isEqualTo("event #4 altered: its content no longer matches its hash");
            assertThat(v.summary()).startsWith("LEDGER BROKEN at event #4");
        }
    }

    @Test
    void alteredActorTimeOrRequestAreNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            db.sql("UPDATE ledger_event SET actor = 'someone-else' WHERE seq = 2");
            assertThat(db.ledger.verify().firstBadSeq()).isEqualTo(2);
        }
        try (LedgerTestDb db = LedgerTestDb.open(tmp.resolve("b"))) {
            db.appendSome(6);
            // one millisecond later is enough
            db.sql("UPDATE ledger_event SET at = DATEADD(MILLISECOND, 1, at) WHERE seq = 5");
            assertThat(db.ledger.verify().firstBadSeq()).isEqualTo(5);
        }
        try (LedgerTestDb db = LedgerTestDb.open(tmp.resolve("c"))) {
            db.appendSome(6);
            db.sql("UPDATE ledger_event SET request_id = NULL WHERE seq = 1");
            assertThat(db.ledger.verify().firstBadSeq()).isEqualTo(1);
        }
    }

    /** The attacker also recomputes the altered row's own hash: the next row's link betrays it. */
    @Test
    void alteredAndRehashedRowIsNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(6);
            LedgerEvent e = db.ledger.events(3, 1).get(0);
            String forged = "{\"note\":\"forged\",\"step\":3}";
            String hash = LedgerEvent.computeHash(e.seq(), e.at(), e.actor(), e.requestId(), e.type(), forged,
                    e.prevHash());
            db.sql("UPDATE ledger_event SET details = ?, hash = ? WHERE seq = 3", forged, hash);
            Verification v = db.ledger.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(3);
            assertThat(v.problem()).contains("event #3 replaced");
        }
    }
}
