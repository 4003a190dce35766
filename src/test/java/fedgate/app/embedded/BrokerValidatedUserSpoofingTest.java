package fedgate.app.embedded;

import static fedgate.app.embedded.BrokerTestSupport.ROUEN;
import static fedgate.app.embedded.BrokerTestSupport.ROUEN_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partner cannot pose as another by setting the validated-user property itself (Art. 5.1). */
class BrokerValidatedUserSpoofingTest {

    @TempDir
    static Path dataDir;
    static EmbeddedBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerTestSupport.started(dataDir);
    }

    @AfterAll
    static void stop() throws Exception {
        broker.stop();
    }

    @Test
    void spoofedValidatedUserIsOverwrittenOverCore() throws Exception {
        try (Connection partner = BrokerTestSupport.core(broker, ROUEN, ROUEN_PASSWORD)) {
            sendSpoofed(partner);
        }
        assertReceivedFromRouen();
    }

    @Test
    void spoofedValidatedUserIsOverwrittenOverAmqp() throws Exception {
        try (Connection partner = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
            sendSpoofed(partner);
        }
        assertReceivedFromRouen();
    }

    @Test
    void amqpConsumerSeesTheValidatedUserToo() throws Exception {
        try (Connection partner = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
            sendSpoofed(partner);
        }
        try (Connection gw = BrokerTestSupport.amqp(broker, EmbeddedBroker.INTERNAL_USER,
                BrokerTestSupport.INTERNAL_PASSWORD)) {
            Session s = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message m = s.createConsumer(s.createQueue(EmbeddedBroker.REQUESTS_IN)).receive(5000);
            assertThat(m.getStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY)).isEqualTo(ROUEN);
        }
    }

    /**
     * Above Artemis' default AMQP large-message threshold (100 KiB) but within the gateway's maximum request: not a
     * large message, so stamped for CORE consumers (the gateway's), the spoofed value replaced.
     */
    @Test
    void amqpMessageUpToTheMaximumRequestIsStampedAndIntact() throws Exception {
        byte[] payload = new byte[(int) BrokerTestSupport.MAX_REQUEST_BYTES];
        new java.util.Random(7).nextBytes(payload);
        for (boolean coreConsumer : new boolean[]{true, false}) {
            try (Connection partner = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
                Session s = partner.createSession(false, Session.AUTO_ACKNOWLEDGE);
                jakarta.jms.BytesMessage m = s.createBytesMessage();
                m.writeBytes(payload);
                m.setStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY, BrokerTestSupport.LEHAVRE);
                s.createProducer(s.createQueue(EmbeddedBroker.REQUESTS_IN)).send(m);
            }
            try (Connection gw = coreConsumer ? BrokerTestSupport.gateway(broker) : BrokerTestSupport.amqp(broker,
                    EmbeddedBroker.INTERNAL_USER, BrokerTestSupport.INTERNAL_PASSWORD)) {
                Session s = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
                jakarta.jms.BytesMessage m = (jakarta.jms.BytesMessage) s.createConsumer(
                        s.createQueue(EmbeddedBroker.REQUESTS_IN)).receive(10000);
                String user = m.getStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY);
                if (coreConsumer) { // the gateway's intake consumes over CORE
                    assertThat(user).isEqualTo(ROUEN);
                } else { // Artemis does not show the stamp to an AMQP consumer of a message this size; never the spoof
                    assertThat(user).isNotEqualTo(BrokerTestSupport.LEHAVRE);
                }
                byte[] read = new byte[(int) m.getBodyLength()];
                m.readBytes(read);
                assertThat(read).isEqualTo(payload);
            }
        }
    }

    /**
     * An AMQP large message would reach a CORE consumer with the value the client wrote (here another partner's
     * name) or none: it is refused at the door with a French reason, and nothing is queued.
     */
    @Test
    void largeAmqpMessageIsRefusedNotAttributed() throws Exception {
        byte[] payload = new byte[(int) BrokerTestSupport.MAX_REQUEST_BYTES + EmbeddedBroker.AMQP_ENVELOPE_MARGIN];
        try (Connection partner = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
            Session s = partner.createSession(false, Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.BytesMessage m = s.createBytesMessage();
            m.writeBytes(payload);
            m.setStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY, BrokerTestSupport.LEHAVRE);
            jakarta.jms.MessageProducer producer = s.createProducer(s.createQueue(EmbeddedBroker.REQUESTS_IN));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> producer.send(m))
                    .isInstanceOf(jakarta.jms.JMSException.class)
                    .hasMessageContaining("dépasse la taille maximale acceptée");
            // the connection is still usable: a normal message goes through
            producer.send(s.createTextMessage("{}"));
        }
        assertReceivedFromRouen();
        assertThat(broker.server().locateQueue(EmbeddedBroker.REQUESTS_IN).getMessageCount()).isZero();
    }

    private static void sendSpoofed(Connection partner) throws Exception {
        Session s = partner.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Message m = s.createTextMessage("{}");
        m.setStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY, BrokerTestSupport.LEHAVRE);
        s.createProducer(s.createQueue(EmbeddedBroker.REQUESTS_IN)).send(m);
    }

    private static void assertReceivedFromRouen() throws Exception {
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session s = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(EmbeddedBroker.REQUESTS_IN));
            Message m = consumer.receive(5000);
            assertThat(m).isNotNull();
            assertThat(m.getStringProperty(EmbeddedBroker.VALIDATED_USER_PROPERTY)).isEqualTo(ROUEN);
            assertThat(consumer.receive(200)).isNull();
        }
    }
}
