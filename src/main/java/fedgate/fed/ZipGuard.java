package fedgate.fed;

import fedgate.fed.FedReadException.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Checks a ZIP container (DOCX, ODT) before any parser opens it: entry count, declared and actual
 * uncompressed sizes, compression ratio. Two passes, because the central directory (what POI reads) and the
 * local entries (what a streaming reader sees) may disagree in a crafted archive: the central directory is
 * checked first (cheap, rejects an honest bomb at once), then every entry is inflated into a counter with
 * the same limits (rejects a bomb whose directory lies) — memory stays constant.
 */
final class ZipGuard {

    /** What the archive holds, enough to tell a DOCX from an ODT from any other zip. */
    record Contents(Set<String> names, String odfMimetype) {
        boolean isDocx() {
            return names.contains("[Content_Types].xml") && names.contains("word/document.xml");
        }

        boolean isOdt() {
            return "application/vnd.oasis.opendocument.text".equals(odfMimetype) && names.contains("content.xml");
        }
    }

    private ZipGuard() {
    }

    static Contents scan(byte[] zip, FedDocumentReader.Limits limits) throws FedReadException {
        Map<String, Long> declared = scanCentralDirectory(zip, limits);
        return scanEntries(zip, limits, declared);
    }

    private static FedReadException bomb(String detail) {
        return new FedReadException(Code.ARCHIVE_BOMB,
                "Le document joint est une archive dont le contenu décompressé est anormalement volumineux "
                        + "(bombe de décompression) ; il a été refusé sans être ouvert.",
                "archive bomb: " + detail);
    }

    private static FedReadException corrupt(String detail) {
        return new FedReadException(Code.UNREADABLE,
                "Le document joint (DOCX/ODT) est une archive endommagée ou incohérente et ne peut pas être lu.",
                "corrupt zip: " + detail);
    }

    private static Map<String, Long> scanCentralDirectory(byte[] z, FedDocumentReader.Limits limits) throws FedReadException {
        int eocd = -1;
        for (int i = z.length - 22; i >= Math.max(0, z.length - 22 - 65535); i--) {
            if (u32(z, i) == 0x06054b50L) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw corrupt("no end of central directory");
        }
        int entries = u16(z, eocd + 10);
        long cdOffset = u32(z, eocd + 16);
        if (entries == 0xFFFF || cdOffset == 0xFFFFFFFFL) {
            // ZIP64 is only needed past 65535 entries or 4 GiB: never for a FED form
            throw bomb("zip64 archive");
        }
        if (entries > limits.maxZipEntries()) {
            throw bomb(entries + " entries > " + limits.maxZipEntries());
        }
        Map<String, Long> names = new HashMap<>();
        long total = 0;
        int p = (int) cdOffset;
        for (int n = 0; n < entries; n++) {
            if (p < 0 || p + 46 > z.length || u32(z, p) != 0x02014b50L) {
                throw corrupt("bad central directory header at " + p);
            }
            long compressed = u32(z, p + 20);
            long uncompressed = u32(z, p + 24);
            int nameLen = u16(z, p + 28);
            int extraLen = u16(z, p + 30);
            int commentLen = u16(z, p + 32);
            if (p + 46 + nameLen > z.length) {
                throw corrupt("truncated central directory");
            }
            String name = new String(z, p + 46, nameLen, StandardCharsets.UTF_8);
            if (compressed == 0xFFFFFFFFL || uncompressed == 0xFFFFFFFFL) {
                throw bomb("zip64 entry " + name);
            }
            checkEntry(name, compressed, uncompressed, limits);
            total += uncompressed;
            if (total > limits.maxZipUncompressedBytes()) {
                throw bomb("declared uncompressed total " + total + " > " + limits.maxZipUncompressedBytes());
            }
            if (names.put(name, uncompressed) != null) {
                throw corrupt("duplicate entry " + name);
            }
            p += 46 + nameLen + extraLen + commentLen;
        }
        return names;
    }

    private static void checkEntry(String name, long compressed, long uncompressed, FedDocumentReader.Limits limits)
            throws FedReadException {
        // small entries may compress very well (runs of spaces); only a large one with a high ratio is a bomb
        if (uncompressed > limits.minBombEntryBytes()
                && uncompressed > (double) Math.max(compressed, 1) * limits.maxZipCompressionRatio()) {
            throw bomb("entry " + name + " ratio " + uncompressed / Math.max(compressed, 1));
        }
    }

    private static Contents scanEntries(byte[] zip, FedDocumentReader.Limits limits, Map<String, Long> declared)
            throws FedReadException {
        Set<String> seen = new HashSet<>();
        String mimetype = null;
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            int count = 0;
            while ((e = in.getNextEntry()) != null) {
                if (++count > limits.maxZipEntries()) {
                    throw bomb("more than " + limits.maxZipEntries() + " local entries");
                }
                String name = e.getName();
                Long declaredSize = declared.get(name);
                if (declaredSize == null || !seen.add(name)) {
                    throw corrupt("local entry " + name + " not in central directory or duplicated");
                }
                long size = 0;
                StringBuilder head = "mimetype".equals(name) ? new StringBuilder() : null;
                int r;
                while ((r = in.read(buf)) > 0) {
                    size += r;
                    total += r;
                    if (head != null && head.length() < 200) {
                        head.append(new String(buf, 0, Math.min(r, 200), StandardCharsets.US_ASCII));
                    }
                    if (total > limits.maxZipUncompressedBytes()) {
                        throw bomb("inflated total over " + limits.maxZipUncompressedBytes());
                    }
                    // an entry inflating past what the central directory declared: the directory lies
                    if (size > declaredSize) {
                        throw bomb("entry " + name + " inflates past its declared size " + declaredSize);
                    }
                }
                if (e.getCompressedSize() >= 0) {
                    checkEntry(name, e.getCompressedSize(), size, limits);
                }
                if (head != null) {
                    mimetype = head.toString().strip();
                }
            }
        } catch (IOException | IllegalArgumentException ex) {
            throw corrupt(ex.toString());
        }
        if (!seen.equals(declared.keySet())) {
            throw corrupt("central directory lists entries the archive does not hold");
        }
        return new Contents(Set.copyOf(seen), mimetype);
    }

    private static int u16(byte[] b, int i) {
        if (i < 0 || i + 2 > b.length) {
            return -1;
        }
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int i) {
        if (i < 0 || i + 4 > b.length) {
            return -1;
        }
        return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24;
    }

    /** True when the bytes start with a ZIP local file header. */
    static boolean looksLikeZip(byte[] b) {
        return b.length >= 4 && u32(b, 0) == 0x04034b50L;
    }
}
