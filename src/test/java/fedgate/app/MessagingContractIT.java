package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.messaging.MessageContract;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The city's data team, system to system, with a real AMQP 1.0 client (Qpid JMS) and no mail at all: submits
 * {@code docs/messages/fed-request.json} exactly as shipped, gets the acknowledgement as the reply on its own queue,
 * follows the status events and feuillet 2, and receives the delivery notice — each message checked against its
 * published JSON schema. {@code fedgate.decision.auto-approve=true} lets the request run unattended. The captured
 * messages are written to {@code target/captured-messages/} (the examples of docs/messages/ were taken from there).
 */
class MessagingContractIT {

    private static final ObjectMapper JSON = Gateway.json();

    @Test
    void partnerSystemSubmitsAndFollowsItsRequestToTheDeliveryOverAmqp(@TempDir Path home) throws Exception {
        try (GatewayFixture fx = new GatewayFixture(home)) {
            fx.overrides.setProperty("fedgate.decision.auto-approve", "true");
            fx.start();
            JmsConnectionFactory factory = new JmsConnectionFactory("ville-rouen",
                    Files.readString(home.resolve("secrets/broker-ville-rouen")).trim(),
                    "amqp://127.0.0.1:" + fx.gateway.broker().port());
            String submission = Files.readString(Path.of("docs/messages/fed-request.json"), StandardCharsets.UTF_8);
            assertThat(MessageContract.FED_REQUEST.violations(submission)).isEmpty();

            String correlation = "city-" + UUID.randomUUID();
            List<Message> received = new ArrayList<>();
            try (Connection c = factory.createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                jakarta.jms.Queue events = s.createQueue("fed.events.ville-rouen");
                MessageProducer p = s.createProducer(s.createQueue("fed.requests.in"));
                TextMessage m = s.createTextMessage(submission);
                m.setJMSReplyTo(events);
                m.setJMSCorrelationID(correlation);
                p.send(m);

                MessageConsumer consumer = s.createConsumer(events);
                long deadline = System.currentTimeMillis() + 180_000;
                while (System.currentTimeMillis() < deadline) {
                    Message e = consumer.receive(5_000);
                    if (e == null) {
                        continue;
                    }
                    received.add(e);
                    if ("fed.delivery".equals(e.getJMSType())) {
                        break;
                    }
                }
            }
            assertThat(received).as("messages on fed.events.ville-rouen").isNotEmpty();
            Path captured = Path.of("target/captured-messages");
            Files.createDirectories(captured);

            // the reply: first, correlated with the submission
            Message ack = received.get(0);
            assertThat(ack.getJMSType()).isEqualTo("fed.acknowledgement");
            assertThat(ack.getJMSCorrelationID()).isEqualTo(correlation);
            JsonNode ackBody = JSON.readTree(ack.getBody(String.class));
            assertThat(ackBody.path("accepted").asBoolean()).as(ackBody.toString()).isTrue();
            assertThat(ackBody.path("channel").asText()).isEqualTo("BROKER");
            String requestId = ackBody.path("requestId").asText();

            List<String> statuses = new ArrayList<>();
            boolean feuillet2 = false;
            boolean delivered = false;
            for (Message e : received) {
                String body = e.getBody(String.class);
                MessageContract contract = MessageContract.ofType(e.getJMSType()).orElseThrow(
                        () -> new AssertionError("message without a documented JMSType: " + body));
                assertThat(contract.violations(body)).as(e.getJMSType() + " " + body).isEmpty();
                JsonNode n = JSON.readTree(body);
                assertThat(n.path("type").asText()).isEqualTo(e.getJMSType());
                assertThat(n.path("partnerId").asText()).isEqualTo("ville-rouen");
                Files.writeString(captured.resolve(contract.name().toLowerCase().replace('_', '-') + ".json"),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
                if (contract == MessageContract.ACKNOWLEDGEMENT) {
                    continue;
                }
                assertThat(e.getJMSCorrelationID()).as("events carry the request id").isEqualTo(requestId);
                assertThat(n.path("requestId").asText()).isEqualTo(requestId);
                switch (contract) {
                    case STATUS_EVENT -> statuses.add(n.path("status").asText());
                    case FEUILLET2 -> {
                        feuillet2 = true;
                        assertThat(n.path("favorable").asBoolean()).isTrue();
                    }
                    case DELIVERY_NOTICE -> {
                        delivered = true;
                        assertThat(n.path("channel").asText()).isEqualTo("sftp");
                        assertThat(n.path("files").toString()).contains("manifest.json", "extract.csv.pgp");
                    }
                    default -> throw new AssertionError(contract);
                }
            }
            assertThat(statuses).containsSubsequence("VALIDATED", "ASSESSED", "APPROVED", "EXTRACTED");
            assertThat(feuillet2).as("feuillet 2 as JSON").isTrue();
            assertThat(delivered).as("delivery notice").isTrue();
            // delivered without a human or a mail read by the partner
            assertThat(fx.gateway.requests().find(requestId).orElseThrow().status().name())
                    .isIn("DELIVERED", "RETRIEVED");
        }
    }
}
