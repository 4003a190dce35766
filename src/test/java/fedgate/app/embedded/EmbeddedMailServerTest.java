package fedgate.app.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedMailServerTest {

    static final String INTAKE_PASSWORD = "intake-test-password";
    static final String REFERENT = "referent@ville-rouen.example";
    EmbeddedMailServer server;

    @BeforeEach
    void start() {
        server = new EmbeddedMailServer(new EmbeddedMailServer.Settings(0, 0, INTAKE_PASSWORD, Map.of()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private Session session() {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(server.smtpPort()));
        props.put("mail.imap.host", "127.0.0.1");
        props.put("mail.imap.port", String.valueOf(server.imapPort()));
        return Session.getInstance(props);
    }

    private void send(String from, String to, String subject, String body) throws Exception {
        MimeMessage message = new MimeMessage(session());
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject, "UTF-8");
        message.setText(body, "UTF-8");
        Transport.send(message);
    }

    private Store imap(String login, String password) throws Exception {
        Store store = session().getStore("imap");
        store.connect("127.0.0.1", server.imapPort(), login, password);
        return store;
    }

    @Test
    void requestSentBySmtpIsReadFromTheIntakeMailboxByImap() throws Exception {
        assertThat(server.smtpPort()).isPositive().isNotEqualTo(server.imapPort());
        send(REFERENT, EmbeddedMailServer.INTAKE_ADDRESS, "Demande de données FED",
                "Organisme demandeur : Ville de Rouen\nÉtude envisagée : précarité");

        try (Store store = imap(EmbeddedMailServer.INTAKE_ADDRESS, INTAKE_PASSWORD)) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message[] messages = inbox.getMessages();
            assertThat(messages).hasSize(1);
            assertThat(messages[0].getSubject()).isEqualTo("Demande de données FED");
            assertThat(((InternetAddress) messages[0].getFrom()[0]).getAddress()).isEqualTo(REFERENT);
            assertThat(((String) messages[0].getContent()).replace("\r\n", "\n").trim()) // SMTP uses CRLF
                    .isEqualTo("Organisme demandeur : Ville de Rouen\nÉtude envisagée : précarité");
            inbox.close(false);
        }
    }

    @Test
    void acknowledgementToTheReferentIsStoredAndReadableOnceAPasswordIsSet() throws Exception {
        send(EmbeddedMailServer.INTAKE_ADDRESS, REFERENT, "Accusé de réception FED-2026-000001", "Bien reçu.");

        server.addUser(REFERENT, "referent-test-password");
        try (Store store = imap(REFERENT, "referent-test-password")) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessages()).extracting(Message::getSubject)
                    .containsExactly("Accusé de réception FED-2026-000001");
            inbox.close(false);
        }
    }

    @Test
    void wrongIntakePasswordIsRefused() {
        assertThatThrownBy(() -> imap(EmbeddedMailServer.INTAKE_ADDRESS, "wrong"))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void settingsNeverPrintPasswords() {
        var settings = new EmbeddedMailServer.Settings(1, 2, INTAKE_PASSWORD, Map.of(REFERENT, "p4ss"));
        assertThat(settings.toString()).doesNotContain(INTAKE_PASSWORD).doesNotContain("p4ss").contains(REFERENT);
    }
}
