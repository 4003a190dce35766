package fedgate.fed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import fedgate.fed.FedReadException.Code;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;
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

    /**
     * A DOCX skeleton whose word/document.xml inflates to {@code size} bytes of zeros, the central directory
     * and local header declaring {@code declaredSize}. Built by hand in a fraction of a second: one MiB of
     * zeros is deflated with a full flush (no back-reference before it), so repeating those bytes is a valid
     * deflate stream of as many MiB.
     */
    private static byte[] docxBomb(long size, long declaredSize) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(new byte[1 << 20]);
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
            chunk.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        d.end();
        byte[] block = chunk.toByteArray();
        long blocks = size >> 20;
        CRC32 crc = new CRC32();
        byte[] zeros = new byte[1 << 20];
        for (long i = 0; i < blocks; i++) {
            crc.update(zeros);
        }
        byte[] end = {0x03, 0x00}; // final empty block with fixed codes
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (long i = 0; i < blocks; i++) {
            data.writeBytes(block);
        }
        data.writeBytes(end);
        byte[] types = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
                .getBytes(StandardCharsets.UTF_8);
        CRC32 typesCrc = new CRC32();
        typesCrc.update(types);
        ZipBuilder zip = new ZipBuilder();
        zip.entry("[Content_Types].xml", 0, typesCrc.getValue(), types, types.length);
        zip.entry("word/document.xml", 8, crc.getValue(), data.toByteArray(), declaredSize);
        return zip.finish();
    }

    /** Just enough of the ZIP format (local headers, central directory, end record) for crafted archives. */
    private static final class ZipBuilder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream cd = new ByteArrayOutputStream();
        private int count;

        void entry(String name, int method, long crc, byte[] data, long uncompressed) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            int offset = out.size();
            ByteBuffer local = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) method)
                    .putShort((short) 0).putShort((short) 0).putInt((int) crc).putInt(data.length)
                    .putInt((int) uncompressed).putShort((short) n.length).putShort((short) 0);
            out.writeBytes(local.array());
            out.writeBytes(n);
            out.writeBytes(data);
            ByteBuffer central = ByteBuffer.allocate(46).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                    .putShort((short) method).putShort((short) 0).putShort((short) 0).putInt((int) crc)
                    .putInt(data.length).putInt((int) uncompressed).putShort((short) n.length).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(offset);
            cd.writeBytes(central.array());
            cd.writeBytes(n);
            count++;
        }

        byte[] finish() {
            int cdOffset = out.size();
            out.writeBytes(cd.toByteArray());
            ByteBuffer eocd = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count)
                    .putShort((short) count).putInt(cd.size()).putInt(cdOffset).putShort((short) 0);
            out.writeBytes(eocd.array());
            return out.toByteArray();
        }
    }

    @Test
    void entryInflatingToGigabytesIsRejectedBeforeParsing() throws Exception {
        byte[] bomb = docxBomb(2L << 30, 2L << 30); // 2 GiB of zeros in about 2 MiB
        assertThat(bomb.length).isLessThan(10 << 20);
        FedReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> catchThrowableOfType(FedReadException.class, () -> reader.read(bomb, "FED.docx", null)));
        assertThat(e.code()).isEqualTo(Code.ARCHIVE_BOMB);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void centralDirectoryLyingAboutSizesIsCaughtWhileInflating() throws Exception {
        // the directory declares 10 kB: a reader trusting it would allocate little and inflate 1 GiB
        byte[] bomb = docxBomb(1L << 30, 10_000);
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
