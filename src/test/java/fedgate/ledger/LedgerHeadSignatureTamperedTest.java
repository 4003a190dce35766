package fedgate.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Attack: the stored signed head (its signature, its hash, its row) is changed or removed. */
class LedgerHeadSignatureTamperedTest {

    @TempDir
    Path tmp;

    private SignedHead signedLedger(LedgerTestDb db) throws Exception {
        db.appendSome(4);
        SignedHead s = db.ledger.signHead(LedgerTestDb.cafSigningKey());
        db.appendSome(2);
        return s;
    }

    @Test
    void tamperedSignatureIsRefused() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            SignedHead s = signedLedger(db);
            // flip one character of the signature packet (line 3 of the armor is base64 signature data)
            String[] lines = s.signature().split("\n");
            char[] line = lines[2].toCharArray();
            line[10] = line[10] == 'A' ? 'B' : 'A';
            lines[2] = new String(line);
            String forged = String.join("\n", lines);
            db.sql("UPDATE ledger_signed_head SET signature = ? WHERE seq = ?", forged, s.seq());
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(4);
            // the row no longer matches the ledger.head.signed event that recorded it
            assertThat(v.problem()).contains("does not match a ledger.head.signed event");
        }
    }

    /** The attacker changes the signature in both places (table and event, re-chaining everything after it). */
    @Test
    void tamperedSignatureEverywhereFailsTheOpenPgpCheck() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            SignedHead s = signedLedger(db);
            SignedHead forgedHead = new SignedHead(s.seq(), s.hash(), s.signedAt(), s.signerFingerprint(),
                    s.signature().replace(s.signature().split("\n")[2],
                            new StringBuilder(s.signature().split("\n")[2]).reverse().toString()));
            db.sql("UPDATE ledger_signed_head SET signature = ? WHERE seq = ?", forgedHead.signature(), s.seq());
            LedgerChainRewrittenTest.rewriteFrom(db, s.seq() + 1, e -> e.type().equals(EventTypes.LEDGER_HEAD_SIGNED)
                    ? CanonicalJson.write(((com.fasterxml.jackson.databind.node.ObjectNode) e.details())
                    .put("signature", forgedHead.signature())) : e.detailsJson());
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(4);
            assertThat(v.problem()).startsWith("the signature of head #4").contains("is not valid");
        }
    }

    @Test
    void signedHeadMovedToAnotherHashIsRefused() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            SignedHead s = signedLedger(db);
            db.sql("UPDATE ledger_signed_head SET hash = ? WHERE seq = ?", "ab".repeat(32), s.seq());
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(4);
            assertThat(v.problem()).contains("no longer matches the head signed at");
        }
    }

    @Test
    void deletedSignedHeadIsNamed() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            SignedHead s = signedLedger(db);
            db.sql("DELETE FROM ledger_signed_head WHERE seq = ?", s.seq());
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(5);
            assertThat(v.problem()).isEqualTo("the signed head #4 recorded by event #5 is missing from "
                    + "ledger_signed_head (deleted)");
        }
    }
}
