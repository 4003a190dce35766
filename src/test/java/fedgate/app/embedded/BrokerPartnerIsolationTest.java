package fedgate.app.embedded;

import static fedgate.app.embedded.BrokerTestSupport.LEHAVRE;
import static fedgate.app.embedded.BrokerTestSupport.ROUEN;
import static fedgate.app.embedded.BrokerTestSupport.ROUEN_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partner may send to fed.requests.in and read its own events; nothing else (Art. 5.1, Art. 2). */
class BrokerPartnerIsolationTest {

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
    void partnerCannotConsumeOrBrowseAnInternalStageQueue() throws Exception {
        for (Connection c : new Connection[] {BrokerTestSupport.core(broker, ROUEN, ROUEN_PASSWORD),
                BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)}) {
            try (c) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertThatThrownBy(() -> s.createConsumer(s.createQueue("fed.intake")))
                        .isInstanceOf(JMSException.class);
                assertThatThrownBy(() -> s.createConsumer(s.createQueue(EmbeddedBroker.REQUESTS_IN)))
                        .isInstanceOf(JMSException.class);
                assertThatThrownBy(() -> s.createBrowser(s.createQueue(EmbeddedBroker.DLQ)).getEnumeration())
                        .isInstanceOf(JMSException.class);
            }
        }
    }

    @Test
    void partnerCannotReadAnotherPartnersEvents() throws Exception {
        try (Connection gw = BrokerTestSupport.gateway(broker)) {
            Session gs = gw.createSession(false, Session.AUTO_ACKNOWLEDGE);
            gs.createProducer(gs.createQueue(EmbeddedBroker.eventsQueue(LEHAVRE)))
                    .send(gs.createTextMessage("for Le Havre only"));
        }
        for (Connection c : new Connection[] {BrokerTestSupport.core(broker, ROUEN, ROUEN_PASSWORD),
                BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)}) {
            try (c) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertThatThrownBy(() -> s.createConsumer(s.createQueue(EmbeddedBroker.eventsQueue(LEHAVRE))))
                        .isInstanceOf(JMSException.class);
            }
        }
        // and the event is still there for its owner
        try (Connection lh = BrokerTestSupport.core(broker, LEHAVRE, BrokerTestSupport.LEHAVRE_PASSWORD)) {
            Session s = lh.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage m = (TextMessage) s.createConsumer(s.createQueue(EmbeddedBroker.eventsQueue(LEHAVRE)))
                    .receive(5000);
            assertThat(m.getText()).isEqualTo("for Le Havre only");
        }
    }

    @Test
    void partnerCannotSendAnywhereButTheRequestsQueue() throws Exception {
        try (Connection core = BrokerTestSupport.core(broker, ROUEN, ROUEN_PASSWORD)) {
            Session s = core.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> s.createProducer(s.createQueue("fed.deliver")).send(s.createTextMessage("x")))
                    .isInstanceOf(JMSException.class);
            assertThatThrownBy(() -> s.createProducer(s.createQueue(EmbeddedBroker.eventsQueue(LEHAVRE)))
                    .send(s.createTextMessage("x"))).isInstanceOf(JMSException.class);
            assertThatThrownBy(() -> s.createProducer(s.createQueue("brand.new.address"))
                    .send(s.createTextMessage("x"))).isInstanceOf(JMSException.class);
        }
        try (Connection amqp = BrokerTestSupport.amqp(broker, ROUEN, ROUEN_PASSWORD)) {
            Session s = amqp.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> s.createProducer(s.createQueue("fed.deliver")).send(s.createTextMessage("x")))
                    .isInstanceOf(JMSException.class);
        }
        assertThat(broker.server().locateQueue("fed.deliver").getMessageCount()).isZero();
    }

    /** A queue of the partner's own bound to fed.intake would take its share of every message sent there. */
    @Test
    void partnerCannotBindItsOwnQueueToAnInternalAddress() throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(broker.url());
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession(ROUEN, ROUEN_PASSWORD, false, true, true, false, 0)) {
            for (String address : new String[] {"fed.intake", EmbeddedBroker.REQUESTS_IN}) {
                assertThatThrownBy(() -> session.createQueue(QueueConfiguration.of("divert-" + address)
                        .setAddress(address).setRoutingType(RoutingType.ANYCAST).setDurable(false)))
                        .isInstanceOf(ActiveMQSecurityException.class);
            }
        }
        assertThat(broker.server().locateQueue("divert-fed.intake")).isNull();
    }

    @Test
    void partnerCannotCreateTemporaryQueues() throws Exception {
        // a consequence of the rule above (see EmbeddedBroker's Javadoc): replies go to fed.events.<id>
        try (Connection core = BrokerTestSupport.core(broker, ROUEN, ROUEN_PASSWORD)) {
            Session s = core.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(s::createTemporaryQueue).isInstanceOf(JMSException.class);
        }
    }
}
