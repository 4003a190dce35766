package fedgate.ledger;

import fedgate.partner.Channel;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A study (Art. 3) is told from a FED before the FED reader sees it; anything else stays a FED. */
class StudyRecognizerTest {

    private static final Instant NOW = Instant.parse("2027-06-01T08:00:00Z");
    private final StudyRecognizer recognizer = new StudyRecognizer(Set.of("FED-2026-000042")::contains, 1000);

    @Test
    void sftpFileNamedEtudeFedIsAStudy() {
        StudySubmission s = recognizer.sftp("ville-rouen", "etude-FED-2026-000042.pdf", new byte[]{1, 2}, NOW)
                .orElseThrow();
        assertThat(s.channel()).isEqualTo(Channel.SFTP);
        assertThat(s.namedRequest()).isEqualTo("FED-2026-000042");
        assertThat(s.sftpPartner()).isEqualTo("ville-rouen");
        assertThat(recognizer.sftp("ville-rouen", "Etude-FED-2026-000001.docx", new byte[1], NOW)).isPresent();
    }

    @Test
    void otherSftpNamesAreLeftToTheFedIntake() {
        for (String name : new String[]{"demande.json", "etude-FED-2026-42.pdf", "etude-FED-2026-000042",
                "etude-FED-2026-000042.pdf/../x", "etude-FED-2026-000042.tar.gz", "x-etude-FED-2026-000042.pdf"}) {
            assertThat(recognizer.sftp("ville-rouen", name, new byte[1], NOW)).as(name).isEmpty();
        }
    }

    @Test
    void replyWithAttachmentNamingTheRequestIsAStudy() throws Exception {
        byte[] mail = mail("Re: Rappel n° 1 : exemplaire de l'étude — demande FED-2026-000042", "Ci-joint.",
                "rapport.pdf", 20);
        StudySubmission s = recognizer.mail(mail, NOW).orElseThrow();
        assertThat(s.namedRequest()).isEqualTo("FED-2026-000042");
        assertThat(s.sender()).isEqualTo("referent@ville-rouen.example");
        assertThat(s.documentName()).isEqualTo("rapport.pdf");
        assertThat(s.document()).hasSize(20);
    }

    @Test
    void anOpenObligationNamedInTheBodyIsEnoughWithoutTheWordStudy() throws Exception {
        assertThat(recognizer.mail(mail("Document", "Voici le rapport pour FED-2026-000042.", "r.pdf", 5), NOW))
                .isPresent();
        // another request, no "étude" in the subject: a FED mail that happens to cite an old request
        assertThat(recognizer.mail(mail("Nouvelle demande", "Suite à FED-2026-000007, voici notre FED.", "fed.pdf",
                5), NOW)).isEmpty();
    }

    @Test
    void aFedMailWithoutAttachmentOrWithoutRequestIdStaysAFed() throws Exception {
        assertThat(recognizer.mail(mail("Étude FED-2026-000042", "Organisme demandeur : Ville de Rouen", null, 0), NOW))
                .isEmpty();
        assertThat(recognizer.mail(mail("Demande FED — étude", "Étude envisagée : diagnostic", "fed.pdf", 5), NOW))
                .isEmpty();
    }

    @Test
    void anOversizedAttachmentIsRecognisedButNotRead() throws Exception {
        StudySubmission s = recognizer.mail(mail("Étude FED-2026-000042", "ci-joint", "gros.pdf", 5000), NOW)
                .orElseThrow();
        assertThat(s.documentName()).isEqualTo("gros.pdf");
        assertThat(s.document()).isNull(); // refused as too large by ObligationService
    }

    private static byte[] mail(String subject, String body, String attachment, int size) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress("referent@ville-rouen.example"));
        m.setRecipient(RecipientType.TO, new InternetAddress("fed@caf-rouen.example"));
        m.setSubject(subject, "UTF-8");
        if (attachment == null) {
            m.setText(body, "UTF-8");
        } else {
            MimeBodyPart text = new MimeBodyPart();
            text.setText(body, "UTF-8");
            MimeBodyPart doc = new MimeBodyPart();
            doc.setFileName(attachment);
            doc.setContent(new byte[size], "application/pdf");
            doc.setDisposition(Part.ATTACHMENT);
            m.setContent(new MimeMultipart(text, doc));
        }
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

}
