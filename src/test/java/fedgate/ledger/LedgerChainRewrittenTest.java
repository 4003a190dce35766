package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack: someone who can write the database alters an event and recomputes every later hash and the head. The hash
 * chain alone cannot see it (the algorithm is public); the signed head, made with the CAF's private key, does.
 */
class LedgerChainRewrittenTest {

    @TempDir
    Path tmp;

    @Test
    void rewrittenChainIsCaughtByTheSignedHead() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(5);
            db.ledger.signHead(LedgerTestDb.cafSigningKey()); // head #5, event #6
            db.appendSome(2);
            rewriteFrom(db, 3, e -> e.seq() == 3 ? "{\"note\":\"rewritten\",\"step\":3}" : e.detailsJson());
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(5);
            assertThat(v.problem()).contains("event #5 no longer matches the head signed at")
                    .endsWith("the chain was rewritten at or before #5");
        }
    }

    /** Replaces the details of events from {@code fromSeq} on and re-chains them and the head, as a skilled attacker. */
    static void rewriteFrom(LedgerTestDb db, long fromSeq, Function<LedgerEvent, String> newDetails) throws SQLException {
        List<LedgerEvent> events = db.ledger.events(1, Integer.MAX_VALUE);
        String prev = fromSeq == 1 ? LedgerEvent.GENESIS_HASH : events.get((int) fromSeq - 2).hash();
        // clear the hashes first: the hash index is unique
        db.sql("UPDATE ledger_event SET hash = CONCAT('x', CAST(seq AS VARCHAR)) WHERE seq >= ?", fromSeq);
        for (LedgerEvent e : events.subList((int) fromSeq - 1, events.size())) {
            String details = newDetails.apply(e);
            String hash = LedgerEvent.computeHash(e.seq(), e.at(), e.actor(), e.requestId(), e.type(), details, prev);
            db.sql("UPDATE ledger_event SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?", details, prev, hash,
                    e.seq());
            prev = hash;
        }
        db.sql("UPDATE ledger_head SET last_hash = ?", prev);
    }
}
