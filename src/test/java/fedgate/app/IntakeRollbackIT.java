package fedgate.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.ledger.AuditLedger;
import fedgate.state.Database;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker intake's local JMS transaction rolls back on failure: while the ledger head is held by another
 * transaction, storing a submission fails (lock timeouts, then Camel's retries are exhausted), the consumption is
 * rolled back and Artemis redelivers it; once the lock is released the redelivered submission is stored, validated
 * and acknowledged once — nothing committed by the failed attempts, nothing lost.
 */
class IntakeRollbackIT {

    private static final ObjectMapper JSON = Gateway.json();
    private static final long HOLD_MILLIS = 30_000;

    @Test
    void aSubmissionThatFailsIsRolledBackRedeliveredAndValidatedOnce(@TempDir Path home) throws Exception {
        try (GatewayFixture fx = new GatewayFixture(home)) {
            fx.start();
            JmsConnectionFactory cf = new JmsConnectionFactory("ville-rouen",
                    Files.readString(home.resolve("secrets/broker-ville-rouen")).trim(),
                    "amqp://127.0.0.1:" + fx.gateway.broker().port());
            DataSource db = Database.h2(fx.gateway.config().dataDir().resolve("db"));
            ObjectNode fed = (ObjectNode) JSON.readTree(
                    GatewayFixture.class.getResourceAsStream("/fed/demande-rouen.json").readAllBytes());
            fed.put("study", "Diagnostic social de territoire — rollback");

            long released;
            try (Connection c = cf.createConnection(); java.sql.Connection holder = db.getConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer acks = s.createConsumer(s.createQueue("fed.events.ville-rouen"),
                        "JMSType = 'fed.acknowledgement'");
                holder.setAutoCommit(false);
                try (PreparedStatement ps = holder.prepareStatement(
                        "SELECT last_seq FROM ledger_head WHERE head_id = 1 FOR UPDATE")) {
                    ps.executeQuery().close();
                }
                MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
                TextMessage m = s.createTextMessage(JSON.writeValueAsString(fed));
                m.setJMSCorrelationID("rollback-1");
                m.setJMSReplyTo(s.createQueue("fed.events.ville-rouen"));
                p.send(m);

                // longer than one delivery can wait (H2 lock timeouts and Camel's three retries with back-off)
                assertThat(acks.receive(HOLD_MILLIS)).as("no acknowledgement while the ledger is held").isNull();
                holder.rollback();
                released = System.currentTimeMillis();

                Message ack = acks.receive(120_000);
                assertThat(ack).as("acknowledgement after the redelivery").isNotNull();
                assertThat(ack.getJMSCorrelationID()).isEqualTo("rollback-1");
                assertThat(JSON.readTree(ack.getBody(String.class)).path("accepted").asBoolean()).isTrue();
                assertThat(acks.receive(3_000)).as("a single acknowledgement").isNull();
            }
            assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(released);
            assertThat(count(db, "SELECT COUNT(*) FROM fed_request")).isEqualTo(1);
            // VALIDATED, or already ASSESSED by the next stage: forwarded either way
            assertThat(count(db, "SELECT COUNT(*) FROM fed_request WHERE status IN ('VALIDATED', 'ASSESSED') "
                    + "AND forwarded_at IS NOT NULL")).isEqualTo(1);
            assertThat(count(db, "SELECT COUNT(*) FROM ledger_event WHERE event_type = 'request.received'"))
                    .isEqualTo(1);
            assertThat(count(db, "SELECT COUNT(*) FROM ledger_event WHERE event_type = 'request.validated'"))
                    .isEqualTo(1);
            assertThat(fx.gateway.broker().server().locateQueue("fed.dlq").getMessageCount()).isZero();
            assertThat(new AuditLedger(db, Clock.systemUTC()).verify().ok()).isTrue();
        }
    }

    private static long count(DataSource db, String sql) throws Exception {
        try (java.sql.Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
