package fedgate.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.state.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerAppendVerifyTest {

    @TempDir
    Path tmp;

    @Test
    void appendedEventsFormAChainThatVerifies() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            assertThat(db.ledger.verify()).isEqualTo(new Verification(true, 0, null, null, LedgerEvent.GENESIS_HASH, 0));
            LedgerEvent e1 = db.ledger.append("fed@ville-rouen.example", "FED-2027-000001", EventTypes.REQUEST_RECEIVED,
                    Map.of("channel", "MAIL", "sha256", "ab".repeat(32)));
            ObjectNode details = CanonicalJson.object();
            details.put("zeta", "z").putObject("alpha").put("b", 2).put("a", "é\"\n");
            LedgerEvent e2 = db.ledger.append("gateway", "FED-2027-000001", EventTypes.REQUEST_VALIDATED, details);
            LedgerEvent e3 = db.ledger.append("bureau", null, EventTypes.CONFIG_CHANGED, Map.of("key", "fedgate.x"));

            assertThat(e1.seq()).isEqualTo(1);
            assertThat(e1.prevHash()).isEqualTo("0".repeat(64));
            assertThat(e2.prevHash()).isEqualTo(e1.hash());
            assertThat(e3.prevHash()).isEqualTo(e2.hash());
            assertThat(e2.detailsJson()).isEqualTo("{\"alpha\":{\"a\":\"é\\\"\\n\",\"b\":2},\"zeta\":\"z\"}");
            // stored at millisecond precision, read back identical (so it re-hashes identically)
            assertThat(e1.at()).isEqualTo(Instant.parse("2027-06-01T08:00:00.123Z"));
            assertThat(db.ledger.events(1, 10)).containsExactly(e1, e2, e3);
            assertThat(db.ledger.events("FED-2027-000001")).containsExactly(e1, e2);
            assertThat(db.ledger.head()).isEqualTo(new AuditLedger.Head(3, e3.hash()));

            Verification v = db.ledger.verify();
            assertThat(v.ok()).isTrue();
            assertThat(v.count()).isEqualTo(3);
            assertThat(v.headHash()).isEqualTo(e3.hash());
            assertThat(v.summary()).startsWith("ledger intact: 3 event(s)");
        }
    }

    /** The hash format is a contract (docs/ledger.md): an auditor can recompute it with any SHA-256 tool. */
    @Test
    void hashIsTheSha256OfTheDocumentedCanonicalForm() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            LedgerEvent e = db.ledger.append("gateway", "FED-2027-000001", "request.received",
                    Map.of("sha256", "00ff", "channel", "SFTP"));
            String canonical = "{\"actor\":\"gateway\",\"at\":\"2027-06-01T08:00:00.123Z\","
                    + "\"details\":{\"channel\":\"SFTP\",\"sha256\":\"00ff\"},\"prevHash\":\"" + "0".repeat(64) + "\","
                    + "\"requestId\":\"FED-2027-000001\",\"seq\":1,\"type\":\"request.received\"}";
            assertThat(e.canonicalForm()).isEqualTo(canonical);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
            assertThat(e.hash()).isEqualTo(sha);
            assertThat(db.queryString("SELECT hash FROM ledger_event WHERE seq = 1")).isEqualTo(sha);
        }
    }

    @Test
    void appendInTransactionCommitsAndRollsBackWithTheStateChange() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(2);
            try (Connection c = db.ds.getConnection()) {
                c.setAutoCommit(false);
                db.ledger.appendInTransaction(c, "bureau", "FED-2027-000009", EventTypes.FEUILLET2_DECIDED,
                        Map.of("favorable", true));
                c.rollback();
            }
            assertThat(db.ledger.head().seq()).isEqualTo(2);
            try (Connection c = db.ds.getConnection()) {
                c.setAutoCommit(false);
                LedgerEvent e = db.ledger.appendInTransaction(c, "bureau", "FED-2027-000009",
                        EventTypes.FEUILLET2_DECIDED, Map.of("favorable", false));
                assertThat(e.seq()).isEqualTo(3);
                c.commit();
            }
            assertThat(db.ledger.verify().ok()).isTrue();
            assertThat(db.ledger.verify().count()).isEqualTo(3);
            try (Connection c = db.ds.getConnection()) {
                assertThatThrownBy(() -> db.ledger.appendInTransaction(c, "x", null, "config.changed", Map.of()))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("auto-commit");
            }
        }
    }

    @Test
    void malformedEventsAreRefusedBeforeTouchingTheChain() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            assertThatThrownBy(() -> db.ledger.append("gateway", null, "Request Received", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.ledger.append(" ", null, "request.received", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.ledger.append("gateway", "FED/../x", "request.received", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.ledger.append("gateway", null, "request.received",
                    Map.of("amount", Double.NaN))).isInstanceOf(IllegalArgumentException.class);
            // a control character in an actor taken from a mail header is neutralised, not stored raw
            LedgerEvent e = db.ledger.append("evil\r\nBcc: x@y", null, "request.received", Map.of());
            assertThat(e.actor()).isEqualTo("evil??Bcc: x@y");
            assertThat(db.ledger.head().seq()).isEqualTo(1);
            assertThat(db.ledger.verify().ok()).isTrue();
        }
    }

    @Test
    void theChainSurvivesAReopenOfTheDatabaseFile() throws Exception {
        List<LedgerEvent> before;
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            db.appendSome(5);
            before = db.ledger.events(1, 100);
        }
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            assertThat(db.ledger.events(1, 100)).isEqualTo(before);
            assertThat(db.ledger.verify().ok()).isTrue();
            assertThat(Database.migrate(db.ds)).isSameAs(db.ds);
        }
    }
}
