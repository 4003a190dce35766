package fedgate.app.embedded;

import static fedgate.app.embedded.BrokerTestSupport.ROUEN;
import static fedgate.app.embedded.BrokerTestSupport.ROUEN_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {

    @TempDir
    Path dataDir;

    private EmbeddedBroker broker;

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void gatewaySendsAndReceivesOverCoreWithItsValidatedUser() throws Exception {
        broker = BrokerTestSupport.started(dataDir);
        assertThat(broker.url()).startsWith("tcp://127.0.0.1:").doesNotEndWith(":0");
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session session = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue("fed.intake")).send(session.createTextMessage("hello"));
            Message received = session.createConsumer(session.createQueue("fed.intake")).receive(5000);
            assertThat(((TextMessage) received).getText()).isEqualTo("hello");
            assertThat(received.getStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY)).isEqualTo("fedgate");
        }
    }

    @Test
    void partnerSubmitsOverAmqpAndTheGatewaySeesWhoSentIt() throws Exception {
        broker = BrokerTestSupport.started(dataDir);
        try (Connection partner = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD);
             Connection gw = BrokerTestSupport.gateway(broker)) {
            Session ps = partner.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage submission = ps.createTextMessage("{\"study\":\"precarite\"}");
            submission.setJMSCorrelationID("corr-1");
            ps.createProducer(ps.createQueue(EmbeddedBroker.REQUESTS_IN)).send(submission);

            Session gs = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message received = gs.createConsumer(gs.createQueue(EmbeddedBroker.REQUESTS_IN)).receive(5000);
            assertThat(received).isNotNull();
            assertThat(((TextMessage) received).getText()).isEqualTo("{\"study\":\"precarite\"}");
            assertThat(received.getJMSCorrelationID()).isEqualTo("corr-1");
            assertThat(received.getStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY)).isEqualTo(ROUEN);
        }
    }

    @Test
    void partnerReceivesItsEventsOverAmqpAndOverCore() throws Exception {
        broker = BrokerTestSupport.started(dataDir);
        String events = EmbeddedBroker.eventsQueue(ROUEN);
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session gs = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = gs.createProducer(gs.createQueue(events));

            producer.send(gs.createTextMessage("RECEIVED"));
            try (Connection amqp = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
                Session as = amqp.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertThat(((TextMessage) as.createConsumer(as.createQueue(events)).receive(5000)).getText())
                        .isEqualTo("RECEIVED");
            }
            // sent after the AMQP consumer is gone, or its prefetch would hold it
            producer.send(gs.createTextMessage("VALIDATED"));
            try (Connection core = BrokerTestSupport.core(broker, ROUEN, ROUEN_PASSWORD)) {
                Session cs = core.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertThat(((TextMessage) cs.createConsumer(cs.createQueue(events)).receive(5000)).getText())
                        .isEqualTo("VALIDATED");
            }
        }
    }

    @Test
    void aPersistentMessageSurvivesARestartOnTheSameDataDir() throws Exception {
        broker = BrokerTestSupport.started(dataDir);
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session session = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue("fed.validated"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage("FED-2026-000001"));
        }
        broker.stop();

        broker = BrokerTestSupport.started(dataDir);
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session session = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message received = session.createConsumer(session.createQueue("fed.validated")).receive(5000);
            assertThat(received).isNotNull();
            assertThat(((TextMessage) received).getText()).isEqualTo("FED-2026-000001");
        }
    }

    /**
     * The journal file size follows {@code fedgate.intake.max-bytes} (an AMQP request of the maximum size is one
     * journal record): a journal written with 10 MiB files (before, or with a smaller maximum) is read by a broker
     * with larger files, and a maximum-size AMQP request is stored and read back after a restart.
     */
    @Test
    void aJournalWrittenWithAnotherFileSizeIsReadAndAMaximumSizeAmqpRequestSurvivesARestart() throws Exception {
        EmbeddedBroker.Settings small = BrokerTestSupport.settings(dataDir, 3); // 1 MiB requests: 10 MiB files
        broker = new EmbeddedBroker(small);
        broker.start();
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session session = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue("fed.validated")).send(session.createTextMessage("avant"));
        }
        broker.stop();

        byte[] request = new byte[(int) EmbeddedBroker.DEFAULT_MAX_REQUEST_BYTES];
        new java.util.Random(3).nextBytes(request);
        broker = new EmbeddedBroker(new EmbeddedBroker.Settings(0, dataDir, BrokerTestSupport.INTERNAL_PASSWORD,
                small.partnerPasswords(), 3, 0, EmbeddedBroker.DEFAULT_MAX_REQUEST_BYTES));
        broker.start();
        try (Connection partner = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
            Session session = partner.createSession(false, Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.BytesMessage m = session.createBytesMessage();
            m.writeBytes(request);
            session.createProducer(session.createQueue(EmbeddedBroker.REQUESTS_IN)).send(m);
        }
        broker.stop();
        broker.start();
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session session = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message before = session.createConsumer(session.createQueue("fed.validated")).receive(5000);
            assertThat(((TextMessage) before).getText()).isEqualTo("avant");
            jakarta.jms.BytesMessage big = (jakarta.jms.BytesMessage) session.createConsumer(
                    session.createQueue(EmbeddedBroker.REQUESTS_IN)).receive(10000);
            assertThat(big.getStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY)).isEqualTo(ROUEN);
            byte[] read = new byte[(int) big.getBodyLength()];
            big.readBytes(read);
            assertThat(read).isEqualTo(request);
        }
    }

    @Test
    void aMessageRolledBackMaxDeliveryAttemptsTimesLandsInTheDeadLetterQueue() throws Exception {
        broker = BrokerTestSupport.started(dataDir); // max delivery attempts 3
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session tx = gw.createSession(true, Session.SESSION_TRANSACTED);
            tx.createProducer(tx.createQueue("fed.assess")).send(tx.createTextMessage("poison"));
            tx.commit();

            MessageConsumer consumer = tx.createConsumer(tx.createQueue("fed.assess"));
            for (int attempt = 1; attempt <= 3; attempt++) {
                Message m = consumer.receive(5000);
                assertThat(m).as("delivery %d", attempt).isNotNull();
                assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(attempt);
                tx.rollback();
            }
            assertThat(consumer.receive(500)).isNull();
            consumer.close();

            Session session = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message dead = session.createConsumer(session.createQueue(EmbeddedBroker.DLQ)).receive(5000);
            assertThat(dead).isNotNull();
            assertThat(((TextMessage) dead).getText()).isEqualTo("poison");
            assertThat(dead.getStringProperty("_AMQ_ORIG_ADDRESS")).isEqualTo("fed.assess");
        }
    }

    @Test
    void settingsNeverPrintPasswords() {
        assertThat(BrokerTestSupport.settings(dataDir, 5).toString())
                .doesNotContain(BrokerTestSupport.INTERNAL_PASSWORD).doesNotContain(ROUEN_PASSWORD)
                .contains(ROUEN);
    }

    @Test
    void partnerPasswordEnvVarName() {
        assertThat(EmbeddedBroker.partnerPasswordEnvVar("ville-rouen"))
                .isEqualTo("FEDGATE_BROKER_PASSWORD_VILLE_ROUEN");
    }
}
