package fedgate.fed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fedgate.fed.FedReadException.Code;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Types refused by their content, whatever their name says. */
class UnsupportedTypeTest {

    private final FedDocumentReader reader = new FedDocumentReader();

    private FedReadException reject(byte[] content, String name, String declared) {
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(content, name, declared));
        assertThat(e).as(name).isNotNull();
        assertThat(e.code()).isEqualTo(Code.UNSUPPORTED_TYPE);
        assertThat(e.reasonFr()).contains("Formats acceptés");
        FedSamples.assertFrenchReason(e);
        return e;
    }

    @Test
    void pngNamedAsPdf() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", out);
        assertThat(reject(out.toByteArray(), "FED.pdf", "application/pdf").reasonFr()).contains("image/png");
    }

    @Test
    void elfExecutableNamedAsText() {
        byte[] elf = new byte[256];
        elf[0] = 0x7F;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[4] = 2;
        elf[5] = 1;
        elf[6] = 1;
        reject(elf, "fed.txt", "text/plain");
    }

    @Test
    void zipThatIsNeitherDocxNorOdt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("fed.txt"));
            zip.write(FedSamples.ANNEX_LAYOUT.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        reject(out.toByteArray(), "FED.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    }
}
