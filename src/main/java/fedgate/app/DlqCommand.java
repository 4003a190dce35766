package fedgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code fedgate dlq}: the dead-letter queue {@code fed.dlq}, as the gateway's own broker user {@code fedgate}
 * (password {@code FEDGATE_BROKER_PASSWORD} or {@code $FEDGATE_HOME/secrets/broker-fedgate}).
 * {@code list} shows each message (id, original queue, request, first line of the failure); {@code replay ID} moves
 * one back to its original queue. A replayed delivery is never delivered twice: the delivery stage is idempotent on
 * request id + version.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Inspect and replay the dead-letter queue fed.dlq.",
        subcommands = {DlqCommand.ListMessages.class, DlqCommand.Replay.class, CommandLine.HelpCommand.class})
public final class DlqCommand implements Runnable {

    static final String DLQ = "fed.dlq";
    private static final Pattern MESSAGE_ID = Pattern.compile("ID:[0-9A-Za-z:-]{1,100}");
    /** Stage queues a message may be replayed to; never a partner's events queue nor the DLQ itself. */
    private static final Pattern REPLAYABLE = Pattern.compile("fed\\.(requests\\.in|intake|validated|assess|extract|deliver)");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the broker is and how to log in as {@code fedgate}. */
    static final class BrokerOptions {
        @Option(names = "--broker", defaultValue = "tcp://127.0.0.1:61616", description = "Broker URL (default ${DEFAULT-VALUE}).")
        String broker;
        @Option(names = "--home", description = "Gateway home, for secrets/broker-fedgate (default: $FEDGATE_HOME or .).")
        Path home;
        @Option(names = "--password-file", description = "File holding the fedgate user's broker password.")
        Path passwordFile;

        Connection connect() throws JMSException {
            String password = System.getenv("FEDGATE_BROKER_PASSWORD");
            if (password == null || password.isBlank()) {
                Path base = home != null ? home : Path.of(System.getenv().getOrDefault("FEDGATE_HOME", "."));
                password = Secrets.readSecretFile(passwordFile != null ? passwordFile : base.resolve("secrets/broker-fedgate"));
            }
            ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(broker, "fedgate", password);
            return cf.createConnection();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the messages of fed.dlq: id, original queue, request, first line of the failure.")
    static final class ListMessages implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        BrokerOptions options;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            int n = 0;
            try (Connection c = options.connect()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try (QueueBrowser browser = s.createBrowser(s.createQueue(DLQ))) {
                    out.println("MESSAGE ID\tORIGINAL QUEUE\tREQUEST\tFAILURE");
                    for (Enumeration<?> e = browser.getEnumeration(); e.hasMoreElements(); ) {
                        Message m = (Message) e.nextElement();
                        out.println(m.getJMSMessageID() + "\t" + orEmpty(m.getStringProperty("_AMQ_ORIG_ADDRESS")) + "\t"
                                + request(m) + "\t" + failure(m));
                        n++;
                    }
                }
            }
            out.println(n + " message(s) in " + DLQ);
            out.flush();
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Move one message of fed.dlq back to its original queue.")
    static final class Replay implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        BrokerOptions options;
        @Parameters(index = "0", paramLabel = "ID", description = "The message id, as listed by 'fedgate dlq list'.")
        String id;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!MESSAGE_ID.matcher(id).matches()) { // the id goes into a selector: nothing else than an id
                err.println("not a message id: " + id);
                err.flush();
                return 2;
            }
            try (Connection c = options.connect()) {
                c.start();
                Session s = c.createSession(true, Session.SESSION_TRANSACTED);
                try (MessageConsumer consumer = s.createConsumer(s.createQueue(DLQ), "JMSMessageID = '" + id + "'")) {
                    Message m = consumer.receive(5000);
                    if (m == null) {
                        err.println("no message " + id + " in " + DLQ);
                        err.flush();
                        s.rollback();
                        return 1;
                    }
                    String origin = m.getStringProperty("_AMQ_ORIG_ADDRESS");
                    if (origin == null || !REPLAYABLE.matcher(origin).matches()) {
                        err.println("message " + id + " has no replayable original queue (" + orEmpty(origin) + ")");
                        err.flush();
                        s.rollback();
                        return 1;
                    }
                    Message copy = copy(s, m);
                    try (MessageProducer producer = s.createProducer(s.createQueue(origin))) {
                        producer.send(copy);
                    }
                    s.commit();
                    out.println("replayed " + id + " to " + origin + " as " + copy.getJMSMessageID());
                    out.flush();
                    return 0;
                }
            }
        }

        /** Body, correlation id, type and application properties; the broker's and the failure's are left behind. */
        private static Message copy(Session s, Message m) throws JMSException {
            Message copy;
            if (m instanceof TextMessage t) {
                copy = s.createTextMessage(t.getText());
            } else if (m instanceof BytesMessage b) {
                byte[] bytes = new byte[(int) b.getBodyLength()];
                b.readBytes(bytes);
                BytesMessage bm = s.createBytesMessage();
                bm.writeBytes(bytes);
                copy = bm;
            } else {
                throw new IllegalStateException("unsupported message type " + m.getClass().getSimpleName());
            }
            copy.setJMSCorrelationID(m.getJMSCorrelationID());
            copy.setJMSType(m.getJMSType());
            for (Object o : Collections.list(m.getPropertyNames())) {
                String name = (String) o;
                if (!name.startsWith("_AMQ") && !name.startsWith("JMSX") && !name.equals(DeliveryEndpoints.FAILURE)
                        && !name.equals(DeliveryEndpoints.ATTEMPTS)) {
                    copy.setObjectProperty(name, m.getObjectProperty(name));
                }
            }
            return copy;
        }
    }

    private static String request(Message m) throws JMSException {
        if (m instanceof TextMessage t && t.getText() != null && t.getText().length() < 65536) {
            try {
                JsonNode n = new ObjectMapper().readTree(t.getText());
                for (String field : new String[]{"requestId", "adHocReference"}) {
                    if (n != null && n.path(field).isTextual()) {
                        return clean(n.path(field).textValue());
                    }
                }
            } catch (Exception e) {
                // not JSON: fall back on the correlation id
            }
        }
        return clean(orEmpty(m.getJMSCorrelationID()));
    }

    private static String failure(Message m) throws JMSException {
        String f = m.getStringProperty(DeliveryEndpoints.FAILURE);
        if (f == null) {
            return "(no failure recorded: dead-lettered by the broker after its delivery attempts)";
        }
        int nl = f.indexOf('\n');
        return clean(nl < 0 ? f : f.substring(0, nl));
    }

    /** Printable on one line: control characters (a hostile body could hold some) escaped. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
