package fedgate.app.embedded;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.StoredMessage;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import fedgate.app.Secrets;

/**
 * The embedded mail server (GreenMail): SMTP and IMAP on 127.0.0.1 with the intake mailbox
 * {@value #INTAKE_ADDRESS}.
 *
 * <p><b>Trial use only.</b> GreenMail keeps every mailbox in memory: mail is lost when the gateway stops, and
 * there is no TLS. Production points the gateway at a real IMAPS/SMTPS server.
 *
 * <p>SMTP accepts mail for any recipient, as a local mail host does. A recipient without an account (e.g. the
 * partner's referent receiving an acknowledgement) gets a mailbox whose password is random and never shown,
 * so nobody can read it over IMAP until {@link #addUser(String, String)} gives it a password (GreenMail's own
 * default would have made the password equal to the address). IMAP logins are always checked.
 */
public final class EmbeddedMailServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMailServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    public static final String INTAKE_ADDRESS = "fed@caf-rouen.example";
    public static final int DEFAULT_SMTP_PORT = 2525;
    public static final int DEFAULT_IMAP_PORT = 2143;

    /**
     * @param smtpPort       SMTP port on 127.0.0.1, 0 for an ephemeral one
     * @param imapPort       IMAP port on 127.0.0.1, 0 for an ephemeral one
     * @param intakePassword IMAP password of {@value #INTAKE_ADDRESS} (its login is the address)
     * @param users          further mailboxes: address (also the login) → password
     */
    public record Settings(int smtpPort, int imapPort, String intakePassword, Map<String, String> users) {
        public Settings {
            Objects.requireNonNull(intakePassword, "intakePassword");
            users = Map.copyOf(users);
        }

        /** Embedded default: ports 2525/2143, the intake password from the environment or {@code secrets/}. */
        public static Settings fromHome(Path home) {
            return new Settings(DEFAULT_SMTP_PORT, DEFAULT_IMAP_PORT,
                    Secrets.secret("FEDGATE_MAIL_PASSWORD", home.resolve("secrets/mail-fed")), Map.of());
        }

        @Override
        public String toString() { // never print the passwords
            return "Settings[smtpPort=" + smtpPort + ", imapPort=" + imapPort + ", users=" + users.keySet() + "]";
        }
    }

    private final Settings settings;
    private GreenMail greenMail;

    public EmbeddedMailServer(Settings settings) {
        this.settings = settings;
    }

    public synchronized void start() {
        if (greenMail != null) {
            throw new IllegalStateException("already started");
        }
        GreenMail mail = new GreenMail(new ServerSetup[] {
            setup(settings.smtpPort(), ServerSetup.PROTOCOL_SMTP),
            setup(settings.imapPort(), ServerSetup.PROTOCOL_IMAP)});
        mail.start();
        UserManager users = mail.getUserManager();
        users.setAuthRequired(true);
        users.setMessageDeliveryHandler((message, address) -> {
            GreenMailUser user = users.getUserByEmail(address.getEmail());
            if (user == null) {
                String email = address.getEmail().toLowerCase(Locale.ROOT);
                user = users.createUser(email, email, randomPassword());
                LOG.info("mailbox created for {} (no IMAP access until a password is set)", email);
            }
            return user;
        });
        Map<String, String> accounts = new LinkedHashMap<>();
        accounts.put(INTAKE_ADDRESS, settings.intakePassword());
        accounts.putAll(settings.users());
        accounts.forEach((address, password) -> mail.setUser(address, address, password));
        greenMail = mail;
        LOG.info("SMTP listening on 127.0.0.1:{} (embedded GreenMail, in memory)", smtpPort());
        LOG.info("IMAP listening on 127.0.0.1:{} (embedded GreenMail, in memory), intake mailbox {}", imapPort(),
                INTAKE_ADDRESS);
    }

    private static ServerSetup setup(int port, String protocol) {
        ServerSetup setup = new ServerSetup(port, "127.0.0.1", protocol);
        return port == 0 ? setup.dynamicPort() : setup;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Adds a mailbox (login = address), or sets the password of an existing one. */
    public synchronized void addUser(String address, String password) {
        running().setUser(address, address, password);
    }

    public synchronized void stop() {
        if (greenMail != null) {
            greenMail.stop();
            greenMail = null;
            LOG.info("embedded mail server stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }

    public int smtpPort() {
        return running().getSmtp().getPort();
    }

    public int imapPort() {
        return running().getImap().getPort();
    }

    public synchronized boolean isRunning() {
        return greenMail != null;
    }

    /**
     * The messages held in the mailbox of {@code address} (the embedded server keeps mail in memory): lets an
     * operator of the embedded default, and the tests, read what the gateway sent to a referent.
     */
    public List<MimeMessage> messagesFor(String address) {
        GreenMailUser user = running().getUserManager().getUserByEmail(address.toLowerCase(Locale.ROOT));
        if (user == null) {
            return List.of();
        }
        try {
            return running().getManagers().getImapHostManager().getInbox(user).getMessages().stream()
                    .map(StoredMessage::getMimeMessage).toList();
        } catch (FolderException e) {
            throw new IllegalStateException("cannot read mailbox of " + address, e);
        }
    }

    /** The running GreenMail, for tests. */
    public GreenMail greenMail() {
        return running();
    }

    private GreenMail running() {
        if (greenMail == null) {
            throw new IllegalStateException("not started");
        }
        return greenMail;
    }
}
