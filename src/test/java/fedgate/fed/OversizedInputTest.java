package fedgate.fed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fedgate.fed.FedReadException.Code;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OversizedInputTest {

    @Test
    void documentOverTenMebibytesIsRejectedBeforeDetection() {
        byte[] big = new byte[(10 << 20) + 1];
        Arrays.fill(big, (byte) 'a');
        FedReadException e = catchThrowableOfType(FedReadException.class,
                () -> new FedDocumentReader().read(big, "fed.txt", "text/plain"));
        assertThat(e.code()).isEqualTo(Code.TOO_LARGE);
        assertThat(e.reasonFr()).contains("trop volumineux").contains("10,0 Mio");
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void extractedTextOverTheLimitIsRejected() throws Exception {
        FedDocumentReader small = new FedDocumentReader(FedDocumentReader.Limits.defaults().withMaxTextChars(500));
        for (byte[] doc : new byte[][] {
                FedSamples.ANNEX_LAYOUT.getBytes(StandardCharsets.UTF_8),
                FedSamples.docx(FedSamples.ANNEX_LAYOUT),
                FedSamples.odt(FedSamples.ANNEX_LAYOUT),
                FedSamples.textPdf(FedSamples.ANNEX_LAYOUT)}) {
            FedReadException e = catchThrowableOfType(FedReadException.class, () -> small.read(doc, "fed", null));
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(Code.TOO_LARGE);
            FedSamples.assertFrenchReason(e);
        }
    }

    @Test
    void mailOverTheLimitIsRejected() {
        FedDocumentReader docs = new FedDocumentReader(FedDocumentReader.Limits.defaults().withMaxMailBytes(1 << 20));
        byte[] mail = new byte[(1 << 20) + 10];
        Arrays.fill(mail, (byte) 'x');
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> new MailFedReader(docs).read(mail));
        assertThat(e.code()).isEqualTo(Code.TOO_LARGE);
        FedSamples.assertFrenchReason(e);
    }
}
