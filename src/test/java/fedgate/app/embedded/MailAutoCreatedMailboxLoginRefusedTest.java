package fedgate.app.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GreenMail creates a mailbox for an unknown recipient with the address as password: anyone on the machine
 * could then read the referent's acknowledgements. The embedded server gives such mailboxes a random password.
 */
class MailAutoCreatedMailboxLoginRefusedTest {

    static final String REFERENT = "referent@ville-rouen.example";
    EmbeddedMailServer server;

    @BeforeEach
    void start() {
        server = new EmbeddedMailServer(new EmbeddedMailServer.Settings(0, 0, "intake-pw", Map.of()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void theAddressIsNotThePasswordOfAnAutoCreatedMailbox() throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(server.smtpPort()));
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(EmbeddedMailServer.INTAKE_ADDRESS));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(REFERENT));
        message.setSubject("Accusé de réception", "UTF-8");
        message.setText("Bien reçu.", "UTF-8");
        Transport.send(message);

        assertThat(server.greenMail().getReceivedMessagesForDomain("ville-rouen.example")).hasSize(1);
        for (String password : new String[] {REFERENT, "referent", ""}) {
            assertThatThrownBy(() -> session.getStore("imap").connect("127.0.0.1", server.imapPort(), REFERENT,
                    password)).as(password).isInstanceOf(AuthenticationFailedException.class);
        }
    }
}
