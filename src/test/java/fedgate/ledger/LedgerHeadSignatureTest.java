package fedgate.ledger;

import fedgate.crypto.DetachedSigner;
import fedgate.crypto.PgpKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Head signing with the real sample CAF key, and the checks verify makes of every signed head. */
class LedgerHeadSignatureTest {

    @TempDir
    Path tmp;

    @Test
    void signedHeadVerifiesWithTheCafCertificate() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(5);
            SignedHead s = db.ledger.signHead(LedgerTestDb.cafSigningKey());
            assertThat(s.seq()).isEqualTo(5);
            assertThat(s.hash()).isEqualTo(db.queryString("SELECT hash FROM ledger_event WHERE seq = 5"));
            assertThat(s.signerFingerprint()).isEqualTo("FC9E95962F83426053AE8D594A44F6A0F6937519");
            assertThat(s.canonicalText()).isEqualTo("fedgate-ledger-head seq=5 hash=" + s.hash() + " at="
                    + LedgerEvent.formatTime(s.signedAt()));
            assertThat(s.signature()).startsWith("-----BEGIN PGP SIGNATURE-----");

            // the signature is an ordinary detached OpenPGP signature over the canonical text
            DetachedSigner.Verification ok = DetachedSigner.verify(
                    new ByteArrayInputStream(s.canonicalText().getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayInputStream(s.signature().getBytes(StandardCharsets.US_ASCII)),
                    LedgerTestDb.cafCertificate(), Clock.fixed(s.signedAt(), ZoneOffset.UTC));
            assertThat(ok.valid()).isTrue();

            LedgerEvent recorded = db.ledger.events(6, 1).get(0);
            assertThat(recorded.type()).isEqualTo(EventTypes.LEDGER_HEAD_SIGNED);
            assertThat(recorded.details().path("signedSeq").asLong()).isEqualTo(5);
            assertThat(recorded.details().path("signature").asText()).isEqualTo(s.signature());
            assertThat(db.ledger.signedHeads()).containsExactly(s);
            assertThat(db.ledger.latestSignedHead()).contains(s);

            db.appendSome(2);
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).as(v.summary()).isTrue();
            assertThat(v.count()).isEqualTo(8);
            assertThat(v.signaturesChecked()).isEqualTo(1);
        }
    }

    @Test
    void signatureByAnotherKeyIsRefused() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(2);
            db.ledger.signHead(LedgerTestDb.cafSigningKey());
            Verification v = db.ledger.verify(PgpKeys.readPublicKeyRing(LedgerTestDb.VILLE_PUB));
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(2);
            assertThat(v.problem()).startsWith("the signature of head #2 (signed at ").contains("is not valid");
        }
    }

    @Test
    void scheduledSigningSignsOnlyWhenDue() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            var key = LedgerTestDb.cafSigningKey();
            assertThat(db.ledger.signHeadIfDue(key, Duration.ofHours(24))).as("empty ledger").isEmpty();
            db.appendSome(3);
            Optional<SignedHead> first = db.ledger.signHeadIfDue(key, Duration.ofHours(24));
            assertThat(first).isPresent();
            assertThat(first.get().seq()).isEqualTo(3);
            db.appendSome(2);
            assertThat(db.ledger.signHeadIfDue(key, Duration.ofHours(24))).as("too soon").isEmpty();
            db.clock.advance(Duration.ofHours(25));
            assertThat(db.ledger.signHeadIfDue(key, Duration.ofHours(24))).map(SignedHead::seq).contains(6L);
            db.clock.advance(Duration.ofHours(25));
            assertThat(db.ledger.signHeadIfDue(key, Duration.ofHours(24))).as("nothing new since").isEmpty();
            assertThat(db.ledger.signedHeads()).hasSize(2);
            assertThat(db.ledger.verify(LedgerTestDb.cafCertificate()).signaturesChecked()).isEqualTo(2);
        }
    }

    /** The key is judged as it was when the head was signed (not now): a head dated after its expiry is refused. */
    @Test
    void headSignedWhenTheKeyHadExpiredIsRefused() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp, java.time.Instant.parse("2030-01-15T10:00:00Z"))) {
            db.appendSome(2);
            db.ledger.signHead(LedgerTestDb.cafSigningKey()); // unlocked in 2027, head dated 2030: after expiry
            Verification v = db.ledger.verify(LedgerTestDb.cafCertificate());
            assertThat(v.ok()).isFalse();
            assertThat(v.firstBadSeq()).isEqualTo(2);
            assertThat(v.problem()).contains("is not valid");
        }
    }
}
