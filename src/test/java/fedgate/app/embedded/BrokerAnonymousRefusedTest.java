package fedgate.app.embedded;

import static fedgate.app.embedded.BrokerTestSupport.ROUEN;
import static fedgate.app.embedded.BrokerTestSupport.ROUEN_PASSWORD;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No connection without a known user and its password, over either protocol. */
class BrokerAnonymousRefusedTest {

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
    void anonymousCoreConnectionIsRefused() {
        assertThatThrownBy(() -> BrokerTestSupport.core(broker, null, null)).isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void anonymousAmqpConnectionIsRefused() {
        assertThatThrownBy(() -> BrokerTestSupport.amqp(broker, null, null)).isInstanceOf(JMSException.class);
    }

    @Test
    void wrongPasswordIsRefusedOverCore() {
        assertThatThrownBy(() -> BrokerTestSupport.core(broker, ROUEN, "wrong"))
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> BrokerTestSupport.core(broker, EmbeddedBroker.INTERNAL_USER, ROUEN_PASSWORD))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void wrongPasswordIsRefusedOverAmqp() {
        assertThatThrownBy(() -> BrokerTestSupport.amqp(broker, ROUEN, "wrong"))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void unknownUserIsRefused() {
        assertThatThrownBy(() -> BrokerTestSupport.core(broker, "ville-inconnue", "x"))
                .isInstanceOf(JMSSecurityException.class);
        assertThatThrownBy(() -> BrokerTestSupport.amqp(broker, "ville-inconnue", "x"))
                .isInstanceOf(JMSSecurityException.class);
    }
}
