package fedgate.fed;

import static fedgate.fed.FedSamples.bytes;
import static fedgate.fed.FedSamples.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import fedgate.fed.FedReadException.Code;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** MIME structures built to exhaust the reader: deep nesting, part floods, nested forwards. */
class MailBombTest {

    private final MailFedReader reader = new MailFedReader();

    @Test
    void deeplyNestedMultipartsAreRejected() throws Exception {
        MimeBodyPart leaf = FedSamples.textPart(FedSamples.ANNEX_LAYOUT, "UTF-8", "quoted-printable");
        for (int i = 0; i < 60; i++) {
            MimeMultipart mp = new MimeMultipart("mixed");
            mp.addBodyPart(leaf);
            MimeBodyPart wrapper = new MimeBodyPart();
            wrapper.setContent(mp);
            leaf = wrapper;
        }
        MimeMessage m = message("FED");
        m.setContent((MimeMultipart) leaf.getContent());
        byte[] raw = bytes(m);
        FedReadException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> catchThrowableOfType(FedReadException.class, () -> reader.read(raw)));
        assertThat(e.code()).isEqualTo(Code.TOO_COMPLEX);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void floodOfPartsIsRejected() throws Exception {
        MimeMultipart mp = new MimeMultipart("mixed");
        for (int i = 0; i < 1_000; i++) {
            mp.addBodyPart(FedSamples.textPart("x", "UTF-8", "7bit"));
        }
        MimeMessage m = message("FED");
        m.setContent(mp);
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(bytes(m)));
        assertThat(e.code()).isEqualTo(Code.TOO_COMPLEX);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void nestedForwardsAreRejected() throws Exception {
        MimeMessage inner = message("FED");
        inner.setText(FedSamples.ANNEX_LAYOUT, "UTF-8");
        inner.saveChanges();
        for (int i = 0; i < 20; i++) {
            MimeBodyPart fwd = new MimeBodyPart();
            fwd.setContent(inner, "message/rfc822");
            MimeMessage outer = message("Fwd " + i);
            outer.setContent(FedSamples.mixed(fwd));
            outer.saveChanges();
            inner = outer;
        }
        byte[] raw = bytes(inner);
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(raw));
        assertThat(e.code()).isEqualTo(Code.TOO_COMPLEX);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void reasonableNestingStillWorks() throws Exception {
        MimeMultipart alt = new MimeMultipart("alternative");
        alt.addBodyPart(FedSamples.textPart(FedSamples.ANNEX_LAYOUT, "UTF-8", "quoted-printable"));
        MimeBodyPart altPart = new MimeBodyPart();
        altPart.setContent(alt);
        MimeMultipart related = new MimeMultipart("related");
        related.addBodyPart(altPart);
        MimeBodyPart relatedPart = new MimeBodyPart();
        relatedPart.setContent(related);
        MimeMessage m = message("FED");
        m.setContent(FedSamples.mixed(relatedPart));
        assertThat(reader.read(bytes(m)).draft()).isEqualTo(FedSamples.EXPECTED);
    }
}
