package fedgate.fed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import fedgate.fed.FedReadException.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * DOCX/ODT archive bombs, built here from highly compressible entries; each must be rejected by the zip
 * scan, before Tika/POI open the archive (the time bound and the ARCHIVE_BOMB code show it: POI would spend
 * seconds inflating and fail otherwise).
 */
class ZipBombAttackTest {

    private final FedDocumentReader reader = new FedDocumentReader();

    /** A DOCX skeleton whose word/document.xml inflates to {@code size} bytes of zeros. */
    private static byte[] docxBomb(long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            zip.write("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
                    .getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            byte[] zeros = new byte[1 << 22];
            for (long written = 0; written < size; written += zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, size - written));
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    @Test
    void entryInflatingToGigabytesIsRejectedBeforeParsing() throws Exception {
        byte[] bomb = docxBomb(2L << 30); // 2 GiB of zeros, about 2 MiB compressed
        assertThat(bomb.length).isLessThan(10 << 20);
        FedReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> catchThrowableOfType(FedReadException.class, () -> reader.read(bomb, "FED.docx", null)));
        assertThat(e.code()).isEqualTo(Code.ARCHIVE_BOMB);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void centralDirectoryLyingAboutSizesIsCaughtWhileInflating() throws Exception {
        byte[] bomb = docxBomb(300L << 20);
        // forge the central directory: declare 10 kB uncompressed for word/document.xml
        byte[] name = "word/document.xml".getBytes(StandardCharsets.US_ASCII);
        boolean patched = false;
        for (int i = 0; i + 46 + name.length <= bomb.length; i++) {
            if (bomb[i] == 0x50 && bomb[i + 1] == 0x4b && bomb[i + 2] == 0x01 && bomb[i + 3] == 0x02
                    && java.util.Arrays.equals(bomb, i + 46, i + 46 + name.length, name, 0, name.length)) {
                int v = 10_000;
                bomb[i + 24] = (byte) v;
                bomb[i + 25] = (byte) (v >> 8);
                bomb[i + 26] = (byte) (v >> 16);
                bomb[i + 27] = (byte) (v >> 24);
                patched = true;
            }
        }
        assertThat(patched).isTrue();
        FedReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> catchThrowableOfType(FedReadException.class, () -> reader.read(bomb, "FED.docx", null)));
        assertThat(e.code()).isEqualTo(Code.ARCHIVE_BOMB);
        assertThat(e.getMessage()).contains("declared size");
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void tooManyEntriesIsRejected() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            zip.closeEntry();
            for (int i = 0; i < 5_000; i++) {
                zip.putNextEntry(new ZipEntry("word/media/x" + i));
                zip.closeEntry();
            }
        }
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(out.toByteArray(), "FED.docx", null));
        assertThat(e.code()).isEqualTo(Code.ARCHIVE_BOMB);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void anHonestDocxStillPasses() throws Exception {
        assertThat(reader.read(FedSamples.docx(FedSamples.ANNEX_LAYOUT), "FED.docx", null)).isEqualTo(FedSamples.EXPECTED);
    }
}
