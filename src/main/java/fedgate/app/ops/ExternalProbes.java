package fedgate.app.ops;

import fedgate.app.GatewayConfig;
import jakarta.jms.JMSSecurityException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Live checks of the external servers, for {@code /health} (each result kept 10 s, so a scraper or a load balancer
 * probing every second does not hammer the servers) and, at start, of the gateway's credentials: a server that is
 * down is reported, a server that refuses the gateway's user stops the start with a clear message.
 */
public final class ExternalProbes {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalProbes.class);
    private static final long TTL_MILLIS = 10_000;

    private final GatewayConfig config;
    private final String brokerUrl;
    private final String brokerPassword;
    private final String mailPassword;
    private final MailTls tls;
    private final Map<String, long[]> cache = new ConcurrentHashMap<>();

    public ExternalProbes(GatewayConfig config, String brokerUrl, String brokerPassword, String mailPassword,
                          MailTls tls) {
        this.config = config;
        this.brokerUrl = brokerUrl;
        this.brokerPassword = brokerPassword;
        this.mailPassword = mailPassword;
        this.tls = tls;
    }

    /** Whether the broker accepts the gateway's user now (one connection, no retry). */
    public boolean broker() {
        return cached("broker", () -> {
            try {
                connectBroker();
                return true;
            } catch (Exception e) {
                LOG.warn("health: broker {} not reachable: {}", redact(brokerUrl), oneLine(e));
                return false;
            }
        });
    }

    public boolean mail() {
        return cached("mail", () -> {
            try {
                connectMail();
                return true;
            } catch (Exception e) {
                LOG.warn("health: mail server {}:{} not reachable: {}", config.get("fedgate.mail.imap.host"),
                        config.get("fedgate.mail.imap.port"), oneLine(e));
                return false;
            }
        });
    }

    /** The SFTP server answers with an SSH banner (authentication is the routes' business, with the pinned key). */
    public boolean sftp() {
        return cached("sftp", () -> {
            String host = config.get("fedgate.sftp.host");
            int port = config.port("fedgate.sftp.port");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 5000);
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                byte[] banner = new byte[4];
                int n = in.readNBytes(banner, 0, 4);
                return n == 4 && "SSH-".equals(new String(banner, StandardCharsets.US_ASCII));
            } catch (Exception e) {
                LOG.warn("health: SFTP server {}:{} not reachable: {}", host, port, oneLine(e));
                return false;
            }
        });
    }

    /**
     * At start: a broker or a mailbox that refuses the gateway's credentials is a misconfiguration (fail now); one
     * that cannot be reached is logged and left to the routes, which retry.
     */
    public void verifyCredentials(boolean brokerExternal, boolean mailExternal) {
        if (brokerExternal) {
            try {
                connectBroker();
                LOG.info("external broker {} accepts the gateway's user", redact(brokerUrl));
            } catch (JMSSecurityException e) {
                throw new IllegalStateException("the broker at " + redact(brokerUrl) + " refuses the gateway's user '"
                        + config.get("fedgate.broker.user") + "': check FEDGATE_BROKER_PASSWORD / secrets/broker-fedgate "
                        + "and the broker's users and roles (docs/production.md)");
            } catch (Exception e) {
                LOG.warn("external broker {} not reachable at start ({}); the routes will retry", redact(brokerUrl),
                        oneLine(e));
            }
        }
        if (mailExternal) {
            try {
                connectMail();
                LOG.info("external mailbox {} on {}:{} accepts the gateway's login", config.get("fedgate.mail.intake.user"),
                        config.get("fedgate.mail.imap.host"), config.get("fedgate.mail.imap.port"));
            } catch (AuthenticationFailedException e) {
                throw new IllegalStateException("the mail server " + config.get("fedgate.mail.imap.host")
                        + " refuses the login of " + config.get("fedgate.mail.intake.user")
                        + ": check FEDGATE_MAIL_PASSWORD / secrets/mail-fed");
            } catch (Exception e) {
                LOG.warn("mail server {}:{} not usable at start ({}); the routes will retry",
                        config.get("fedgate.mail.imap.host"), config.get("fedgate.mail.imap.port"), oneLine(e));
            }
        }
    }

    private void connectBroker() throws Exception {
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(brokerUrl, config.get("fedgate.broker.user"),
                brokerPassword)) {
            cf.setReconnectAttempts(0);
            cf.setInitialConnectAttempts(1);
            cf.setCallTimeout(5000);
            cf.setCallFailoverTimeout(5000);
            try (jakarta.jms.Connection c = cf.createConnection()) {
                c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE).close();
            }
        }
    }

    private void connectMail() throws Exception {
        String protocol = config.get("fedgate.mail.imap.protocol");
        Session session = Session.getInstance(tls.javaMailProperties(protocol));
        Store store = session.getStore(protocol);
        try {
            store.connect(config.get("fedgate.mail.imap.host"), config.port("fedgate.mail.imap.port"),
                    config.get("fedgate.mail.intake.user"), mailPassword);
        } finally {
            if (store.isConnected()) {
                store.close();
            }
        }
    }

    private boolean cached(String key, BooleanSupplier probe) {
        long now = System.currentTimeMillis();
        long[] entry = cache.get(key);
        if (entry != null && now - entry[0] < TTL_MILLIS) {
            return entry[1] == 1;
        }
        boolean ok = probe.getAsBoolean();
        cache.put(key, new long[]{now, ok ? 1 : 0});
        return ok;
    }

    /** A broker URL never holds a password here, but user info or parameters could: keep host and port only. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password|user)=[^&)]*", "$1=***");
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return m.replaceAll("[\\r\\n]+", " ");
    }
}
