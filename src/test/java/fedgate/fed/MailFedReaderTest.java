package fedgate.fed;

import static fedgate.fed.FedSamples.EXPECTED;
import static fedgate.fed.FedSamples.attachment;
import static fedgate.fed.FedSamples.bytes;
import static fedgate.fed.FedSamples.message;
import static fedgate.fed.FedSamples.mixed;
import static fedgate.fed.FedSamples.textPart;
import static fedgate.fed.FedSamples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fedgate.fed.FedReadException.Code;
import fedgate.fed.MailFedReader.FedMail;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class MailFedReaderTest {

    private final MailFedReader reader = new MailFedReader();

    @Test
    void plainTextBodyWithEncodedHeaders() throws Exception {
        MimeMessage m = message("Demande de données — FED n° 1");
        m.setText(FedSamples.BULLET_LAYOUT, "UTF-8");
        m.setHeader("Content-Transfer-Encoding", "quoted-printable");
        byte[] raw = bytes(m);
        assertThat(new String(raw, StandardCharsets.US_ASCII)).contains("=?UTF-8?");
        FedMail mail = reader.read(raw);
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("body");
        assertThat(mail.subject()).isEqualTo("Demande de données — FED n° 1");
        assertThat(mail.fromAddress()).isEqualTo("marie.dupont@ville-rouen.example");
        assertThat(mail.fromName()).isEqualTo("Marie Dupont — Ville de Rouen");
        assertThat(mail.messageId()).startsWith("<");
    }

    @Test
    void iso88591QuotedPrintableBody() throws Exception {
        MimeMessage m = message("Demande FED");
        m.setText(FedSamples.ANNEX_LAYOUT, "ISO-8859-1");
        m.setHeader("Content-Transfer-Encoding", "quoted-printable");
        byte[] raw = bytes(m);
        assertThat(new String(raw, StandardCharsets.US_ASCII)).contains("=E9").contains("ISO-8859-1");
        assertThat(reader.read(raw).draft()).isEqualTo(EXPECTED);
    }

    @Test
    void htmlOnlyMail() throws Exception {
        String html = "<html><body><p>Bonjour,</p>" + FedSamples.ANNEX_LAYOUT.lines()
                .map(l -> l.isBlank() ? "<br>" : "<b>" + l.replace("&", "&amp;") + "</b><br>\n")
                .reduce("", String::concat) + "</body></html>";
        MimeMessage m = message("FED");
        m.setContent(html, "text/html; charset=UTF-8");
        m.setHeader("Content-Transfer-Encoding", "base64");
        assertThat(reader.read(bytes(m)).draft()).isEqualTo(EXPECTED);
    }

    @Test
    void alternativePrefersPlainText() throws Exception {
        MimeMultipart alt = new MimeMultipart("alternative");
        alt.addBodyPart(textPart(FedSamples.CAPS_LAYOUT, "UTF-8", "quoted-printable"));
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Organisme demandeur : Ville du Havre</p><p>Étude envisagée : autre</p>", "text/html; charset=UTF-8");
        alt.addBodyPart(html);
        MimeMessage m = message("FED");
        m.setContent(alt);
        assertThat(reader.read(bytes(m)).draft()).isEqualTo(EXPECTED);
    }

    @Test
    void base64JsonAttachmentComesBeforeTheBody() throws Exception {
        MimeMessage m = message("FED en pièce jointe");
        m.setContent(mixed(
                textPart("Bonjour,\nOrganisme demandeur : Autre organisme\nÉtude envisagée : ne pas lire\n", "UTF-8", "8bit"),
                attachment(utf8(FedSamples.JSON), "application/json", "demande FED.json", "base64")));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("attachment:demande FED.json");
        assertThat(mail.attachments()).extracting(MailFedReader.Attachment::outcome).containsExactly("used");
    }

    @Test
    void logoAttachmentIsSkippedAndTheBodyUsed() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", png);
        MimeMessage m = message("FED");
        m.setContent(mixed(textPart(FedSamples.WRAPPED_LAYOUT, "UTF-8", "quoted-printable"),
                attachment(png.toByteArray(), "image/png", "logo-rouen.png", "base64")));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("body");
        assertThat(mail.attachments()).singleElement()
                .satisfies(a -> {
                    assertThat(a.name()).isEqualTo("logo-rouen.png");
                    assertThat(a.outcome()).isEqualTo("UNSUPPORTED_TYPE");
                });
    }

    @Test
    void pdfAttachmentWithEncodedFileName() throws Exception {
        MimeMessage m = message("FED");
        m.setContent(mixed(textPart("Bonjour, ci-joint notre demande.", "UTF-8", "7bit"),
                attachment(FedSamples.acroFormPdf(), "application/octet-stream", "Demande données Rouen.pdf", "base64")));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("attachment:Demande données Rouen.pdf");
    }

    @Test
    void inlineForwardedMessage() throws Exception {
        String body = "Pour traitement.\n\n---------- Forwarded message ---------\n"
                + "De : Marie DUPONT <marie.dupont@ville-rouen.example>\n"
                + "Date: jeu. 5 févr. 2026 à 10:12\n"
                + "Subject: Demande FED\n"
                + "To: <fed@caf-rouen.example>\n\n"
                + FedSamples.CAPS_LAYOUT;
        MimeMessage m = message("Fwd: Demande FED");
        m.setText(body, "UTF-8");
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.draft().date()).as("the forward header's date is not the form's").isEqualTo("2026-03-12");
    }

    @Test
    void appleAndFrenchForwardMarkers() throws Exception {
        for (String marker : new String[] {"-------- Message transféré --------", "Début du message réexpédié :"}) {
            String body = "Voir ci-dessous.\n\n" + marker + "\n\nDe: Marie DUPONT\nObjet: FED\nDate: 1 mars 2026 à 10:00:00 UTC+1\n"
                    + "À: fed@caf-rouen.example\n\n" + FedSamples.ANNEX_LAYOUT;
            MimeMessage m = message("Tr: FED");
            m.setText(body, "UTF-8");
            assertThat(reader.read(bytes(m)).draft()).as(marker).isEqualTo(EXPECTED);
        }
    }

    @Test
    void forwardedMessageAsRfc822AttachmentIsSearched() throws Exception {
        MimeMessage original = message("Demande FED");
        original.setContent(mixed(textPart("Bonjour, ci-joint.", "UTF-8", "7bit"),
                attachment(FedSamples.docx(FedSamples.BULLET_LAYOUT), 
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "FED.docx", "base64")));
        original.saveChanges();
        MimeBodyPart forwarded = new MimeBodyPart();
        forwarded.setContent(original, "message/rfc822");
        MimeMessage m = message("Fwd: Demande FED");
        m.setContent(mixed(textPart("Pour information.", "UTF-8", "7bit"), forwarded));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("attachment:FED.docx");
    }

    @Test
    void forwardedRfc822WithTheFormInItsBody() throws Exception {
        MimeMessage original = message("Demande FED");
        original.setText(FedSamples.ANNEX_LAYOUT, "ISO-8859-1");
        original.setHeader("Content-Transfer-Encoding", "quoted-printable");
        original.saveChanges();
        MimeBodyPart forwarded = new MimeBodyPart();
        forwarded.setContent(original, "message/rfc822");
        MimeMessage m = message("Fwd");
        m.setContent(mixed(textPart("Transmis pour traitement.", "UTF-8", "7bit"), forwarded));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("body");
    }

    @Test
    void hostileAttachmentIsReportedWhenNothingElseIsAFed() throws Exception {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><feuillet1>&x;</feuillet1>";
        MimeMessage m = message("FED");
        m.setContent(mixed(textPart("Bonjour, ci-joint.", "UTF-8", "7bit"),
                attachment(utf8(xxe), "application/xml", "fed.xml", "base64")));
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(bytes(m)));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_XML);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void mailWithoutAnyFed() throws Exception {
        MimeMessage m = message("Question");
        m.setText("Bonjour, pouvez-vous me rappeler ?\nCordialement", "UTF-8");
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(bytes(m)));
        assertThat(e.code()).isEqualTo(Code.NO_FED_FOUND);
        FedSamples.assertFrenchReason(e);
    }

    /** Not a real signature: the reader only recognises the message; RequestSignatures verifies it. */
    private static final byte[] SIGNED_MESSAGE = ("-----BEGIN PGP MESSAGE-----\n\nowGbwMvMwCF2\n=abcd\n"
            + "-----END PGP MESSAGE-----\n").getBytes(StandardCharsets.US_ASCII);

    @Test
    void anInlineSignedAttachmentIsTheRequestAndAnUnsignedOneBesideItIsNotTried() throws Exception {
        MimeMessage m = message("FED signée");
        m.setContent(mixed(textPart("Bonjour, notre demande signée est jointe.\n", "UTF-8", "8bit"),
                attachment(utf8(FedSamples.JSON), "application/json", "demande.json", "base64"),
                attachment(SIGNED_MESSAGE, "application/octet-stream", "demande.json.asc", "base64")));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.draft()).isNull();
        assertThat(mail.signedAttachment()).isNotNull();
        assertThat(mail.signedAttachment().name()).isEqualTo("demande.json.asc");
        assertThat(mail.signedAttachment().innerName()).isEqualTo("demande.json");
        assertThat(mail.signedAttachment().raw()).isEqualTo(SIGNED_MESSAGE);
        assertThat(mail.foundIn()).isEqualTo("attachment:demande.json.asc");
        assertThat(mail.attachments()).extracting(MailFedReader.Attachment::outcome)
                .containsExactly("not tried", "used");
    }

    @Test
    void aDetachedSignatureAttachedAloneIsNotASignedRequest() throws Exception {
        byte[] detached = ("-----BEGIN PGP SIGNATURE-----\n\niHUEARYIAB0\n=abcd\n-----END PGP SIGNATURE-----\n")
                .getBytes(StandardCharsets.US_ASCII);
        MimeMessage m = message("FED");
        m.setContent(mixed(textPart(FedSamples.WRAPPED_LAYOUT, "UTF-8", "quoted-printable"),
                attachment(detached, "application/pgp-signature", "demande.json.sig", "7bit")));
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.signedAttachment()).isNull();
        assertThat(mail.draft()).isEqualTo(EXPECTED);
        assertThat(mail.foundIn()).isEqualTo("body");
    }

    @Test
    void inAPgpMimeMailTheSignatureIsTheMailsNotAnAttachments() throws Exception {
        MimeMessage m = message("FED");
        MimeMultipart signed = mixed(textPart(FedSamples.WRAPPED_LAYOUT, "UTF-8", "quoted-printable"),
                attachment(SIGNED_MESSAGE, "application/octet-stream", "demande.json.gpg", "base64"));
        signed.setSubType("signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256");
        m.setContent(signed);
        FedMail mail = reader.read(bytes(m));
        assertThat(mail.signedAttachment()).isNull();
        assertThat(mail.draft()).isEqualTo(EXPECTED);
    }

    @Test
    void garbageIsNotAMail() {
        FedReadException e = catchThrowableOfType(FedReadException.class,
                () -> reader.read(new byte[] {0x7F, 'E', 'L', 'F', 0, 0, 0}));
        assertThat(e.code()).isIn(Code.NO_FED_FOUND, Code.UNREADABLE);
        FedSamples.assertFrenchReason(e);
    }
}
