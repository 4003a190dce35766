package fedgate.app;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code fedgate submit}: what a partner's system does, as a command — sends a JSON FED to
 * {@code fed.requests.in} over Artemis CORE as the partner's broker user and prints the acknowledgement
 * that comes back on {@code fed.events.<partner>} with the submission's correlation id.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Send a JSON FED to the broker as a partner and print the acknowledgement.")
public final class SubmitCommand implements Callable<Integer> {

    @Option(names = "--file", required = true, description = "The FED as JSON (e.g. docs/messages/fed-request.json).")
    Path file;

    @Option(names = "--partner", defaultValue = "ville-rouen", description = "Partner id = broker user (default ${DEFAULT-VALUE}).")
    String partner;

    @Option(names = "--broker", defaultValue = "tcp://127.0.0.1:61616", description = "Broker URL (default ${DEFAULT-VALUE}).")
    String broker;

    @Option(names = "--password-file", description = "File holding the partner's broker password "
            + "(default: $FEDGATE_BROKER_PASSWORD_<PARTNER> or secrets/broker-<partner> under the home).")
    Path passwordFile;

    @Option(names = "--home", description = "Gateway home, for the default password file (default: $FEDGATE_HOME or .).")
    Path home;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait for the acknowledgement.")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (!partner.matches("[a-z0-9][a-z0-9-]{1,40}")) {
            System.err.println("invalid partner id");
            return 2;
        }
        String envVar = "FEDGATE_BROKER_PASSWORD_" + partner.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        String password = System.getenv(envVar);
        if (password == null || password.isBlank()) {
            Path base = home != null ? home : Path.of(System.getenv().getOrDefault("FEDGATE_HOME", "."));
            password = Secrets.readSecretFile(passwordFile != null ? passwordFile : base.resolve("secrets/broker-" + partner));
        }
        String correlation = "submit-" + UUID.randomUUID();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(broker, partner, password);
             Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue events = s.createQueue("fed.events." + partner);
            TextMessage m = s.createTextMessage(Files.readString(file, StandardCharsets.UTF_8));
            m.setJMSReplyTo(events);
            m.setJMSCorrelationID(correlation);
            s.createProducer(s.createQueue("fed.requests.in")).send(m);
            System.err.println("sent " + file + " as " + partner + ", correlation id " + correlation);
            try (MessageConsumer consumer = s.createConsumer(events, "JMSCorrelationID = '" + correlation + "'")) {
                Message reply = consumer.receive(timeoutSeconds * 1000L);
                if (reply == null) {
                    System.err.println("no acknowledgement within " + timeoutSeconds + " s");
                    return 1;
                }
                System.out.println(reply.getBody(String.class));
                return 0;
            }
        }
    }
}
