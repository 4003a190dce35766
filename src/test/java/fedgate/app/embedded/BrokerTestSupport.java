package fedgate.app.embedded;

import java.nio.file.Path;
import java.util.Map;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;

/** A broker on an ephemeral port with known test passwords, and real CORE and AMQP clients for it. */
final class BrokerTestSupport {

    static final String INTERNAL_PASSWORD = "internal-test-password";
    static final String ROUEN = "ville-rouen";
    static final String ROUEN_PASSWORD = "rouen-test-password";
    static final String LEHAVRE = "ville-lehavre";
    static final String LEHAVRE_PASSWORD = "lehavre-test-password";
    /** The largest request the tests accept: AMQP messages from 2 MiB on are large, and refused. */
    static final long MAX_REQUEST_BYTES = 1024 * 1024;

    private BrokerTestSupport() {
    }

    static EmbeddedBroker.Settings settings(Path dataDir, int maxDeliveryAttempts) {
        return new EmbeddedBroker.Settings(0, dataDir, INTERNAL_PASSWORD,
                Map.of(ROUEN, ROUEN_PASSWORD, LEHAVRE, LEHAVRE_PASSWORD), maxDeliveryAttempts, 0, MAX_REQUEST_BYTES);
    }

    static EmbeddedBroker started(Path dataDir) throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker(settings(dataDir, 3));
        broker.start();
        return broker;
    }

    /** Artemis' own jakarta JMS client over the CORE protocol. */
    static Connection core(EmbeddedBroker broker, String user, String password) throws JMSException {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url() + "?reconnectAttempts=0");
        Connection connection = user == null ? factory.createConnection() : factory.createConnection(user, password);
        connection.start();
        return connection;
    }

    /** Qpid JMS over AMQP 1.0, as a partner's data team would use. */
    static Connection amqp(EmbeddedBroker broker, String user, String password) throws JMSException {
        JmsConnectionFactory factory = new JmsConnectionFactory("amqp://127.0.0.1:" + broker.port());
        Connection connection = user == null ? factory.createConnection() : factory.createConnection(user, password);
        connection.start();
        return connection;
    }

    static Connection gateway(EmbeddedBroker broker) throws JMSException {
        return core(broker, EmbeddedBroker.INTERNAL_USER, INTERNAL_PASSWORD);
    }
}
