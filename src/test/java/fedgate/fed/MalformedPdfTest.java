package fedgate.fed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fedgate.fed.FedReadException.Code;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.junit.jupiter.api.Test;

class MalformedPdfTest {

    private final FedDocumentReader reader = new FedDocumentReader();

    @Test
    void truncatedPdfIsRejected() throws Exception {
        byte[] pdf = FedSamples.textPdf(FedSamples.ANNEX_LAYOUT);
        byte[] truncated = Arrays.copyOf(pdf, pdf.length / 2);
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(truncated, "FED.pdf", null));
        assertThat(e.code()).isIn(Code.MALFORMED_PDF, Code.UNREADABLE);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void garbageBehindAPdfHeaderIsRejected() {
        byte[] garbage = new byte[50_000];
        new Random(42).nextBytes(garbage);
        byte[] head = "%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
        byte[] pdf = new byte[head.length + garbage.length + tail.length];
        System.arraycopy(head, 0, pdf, 0, head.length);
        System.arraycopy(garbage, 0, pdf, head.length, garbage.length);
        System.arraycopy(tail, 0, pdf, head.length + garbage.length, tail.length);
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(pdf, "FED.pdf", null));
        assertThat(e.code()).isIn(Code.MALFORMED_PDF, Code.UNREADABLE);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void passwordProtectedPdfIsUnreadable() throws Exception {
        byte[] plain = FedSamples.textPdf(FedSamples.ANNEX_LAYOUT);
        byte[] encrypted;
        try (PDDocument doc = Loader.loadPDF(plain); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "user-secret", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(out);
            encrypted = out.toByteArray();
        }
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(encrypted, "FED.pdf", null));
        assertThat(e.code()).isEqualTo(Code.UNREADABLE);
        assertThat(e.reasonFr()).contains("mot de passe");
        FedSamples.assertFrenchReason(e);
    }
}
