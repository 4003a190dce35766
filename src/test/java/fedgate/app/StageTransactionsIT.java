package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fedgate.state.RequestStatus;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.ServerConsumer;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.impl.AckReason;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing is lost between two stages: each stage acknowledges the order it consumed and sends the next stage's order
 * in <em>one</em> broker transaction, so a crash or a broker gone away can only leave both undone (the order is
 * delivered again) or both done. With a second session for the sends — Camel's default JMS transaction manager next
 * to the listener's own session — the order was acknowledged in one commit and the next order sent in another: a
 * SIGKILL between the two lost the request (CrashAllStagesProofIT, fresh clone: APPROVED, feuillet 2 sent, never
 * extracted; the broker discarded the send's transaction at restart). Observed on the embedded broker itself, with a
 * plugin that records the transaction of every acknowledgement and every send.
 */
class StageTransactionsIT {

    private static final ObjectMapper JSON = Gateway.json();

    /** Consumed queue → the queue of the order the stage sends next. */
    private static final Map<String, String> NEXT = Map.of(
            "fed.requests.in", "fed.validated",
            "fed.validated", "fed.decided",
            "fed.decided", "fed.extract",
            "fed.extract", "fed.deliver");

    record Op(String kind, String address, long tx) {
    }

    /** Every acknowledgement and every send the broker sees, with the transaction it belongs to (-1: none). */
    static final class Recorder implements ActiveMQServerMessagePlugin {
        final List<Op> ops = new CopyOnWriteArrayList<>();

        @Override
        public void beforeSend(ServerSession session, Transaction tx, org.apache.activemq.artemis.api.core.Message m,
                               boolean direct, boolean noAutoCreateQueue) {
            ops.add(new Op("send", m.getAddress(), tx == null ? -1 : tx.getID()));
        }

        @Override
        public void messageAcknowledged(Transaction tx, MessageReference ref, AckReason reason,
                                        ServerConsumer consumer) throws ActiveMQException {
            ops.add(new Op("ack", ref.getQueue().getName().toString(), tx == null ? -1 : tx.getID()));
        }

        Set<Long> transactions(String kind, String address) {
            return ops.stream().filter(o -> o.kind().equals(kind) && o.address().equals(address)).map(Op::tx)
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void everyStageAcknowledgesItsOrderAndSendsTheNextInOneBrokerTransaction(@TempDir Path home) throws Exception {
        try (GatewayFixture fx = new GatewayFixture(home)) {
            fx.overrides.setProperty("fedgate.decision.auto-approve", "true");
            fx.start();
            Recorder recorder = new Recorder();
            fx.gateway.broker().server().registerBrokerPlugin(recorder);

            String id = submit(fx, home);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                RequestStatus s = fx.gateway.requests().find(id).orElseThrow().status();
                assertThat(s).isNotIn(RequestStatus.FAILED, RequestStatus.REJECTED);
                return s == RequestStatus.DELIVERED;
            });

            for (Map.Entry<String, String> stage : NEXT.entrySet()) {
                Set<Long> acks = recorder.transactions("ack", stage.getKey());
                Set<Long> sends = recorder.transactions("send", stage.getValue());
                assertThat(acks).as("the acknowledgement of the order on " + stage.getKey()).hasSize(1)
                        .doesNotContain(-1L);
                assertThat(sends).as("the order sent to " + stage.getValue() + " after " + stage.getKey()
                        + ": in the transaction that acknowledged it (" + recorder.ops + ")").isEqualTo(acks);
            }
        }
    }

    /** One request over AMQP 1.0, as the partner; its request id from the acknowledgement. */
    private static String submit(GatewayFixture fx, Path home) throws Exception {
        ObjectNode fed = (ObjectNode) JSON.readTree(fx.resource("demande-rouen.json"));
        fed.put("study", "Diagnostic social — transactions des étapes");
        JmsConnectionFactory cf = new JmsConnectionFactory("ville-rouen",
                Files.readString(home.resolve("secrets/broker-ville-rouen")).trim(),
                "amqp://127.0.0.1:" + fx.gateway.broker().port());
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.Queue events = s.createQueue("fed.events.ville-rouen");
            MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
            TextMessage m = s.createTextMessage(JSON.writeValueAsString(fed));
            m.setJMSReplyTo(events);
            m.setJMSCorrelationID("stage-transactions");
            p.send(m);
            Message ack = s.createConsumer(events, "JMSType = 'fed.acknowledgement'").receive(60_000);
            assertThat(ack).isNotNull();
            JsonNode n = JSON.readTree(ack.getBody(String.class));
            assertThat(n.path("accepted").asBoolean()).as(n.toString()).isTrue();
            return n.path("requestId").asText();
        }
    }
}
