package fedgate.fed;

import fedgate.fed.FedReadException.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.extractor.EmbeddedDocumentExtractor;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.html.JSoupParser;
import org.apache.tika.parser.microsoft.ooxml.OOXMLParser;
import org.apache.tika.parser.odf.OpenDocumentParser;
import org.apache.tika.sax.BodyContentHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

/**
 * Reads one FED document (Annexe 2, feuillet n° 1) whatever its form, and returns a draft {@link Feuillet1}
 * (no partnerId, no catalogue codes: the channel and the validation stage fill them).
 *
 * <p>The type is decided by the content (Tika's magic-byte detection, the file name and declared type only
 * as hints that may refine a generic type, never override the magic), then:
 * <ul>
 * <li>JSON → checked against {@code feuillet1.schema.json};</li>
 * <li>XML (root {@code <feuillet1>} or {@code <fed>}, element names = JSON names) → same schema, DOCTYPE refused;</li>
 * <li>PDF → AcroForm fields if the form has FED fields (see {@link PdfFormReader}), else its text;</li>
 * <li>DOCX, ODT (zip checked by {@link ZipGuard} before any parser opens it), HTML, plain text → text →
 *     {@link LabelTextParser};</li>
 * <li>anything else → {@link Code#UNSUPPORTED_TYPE}.</li>
 * </ul>
 * Every failure on bad input is a {@link FedReadException}; nothing else escapes for a hostile document.
 */
public final class FedDocumentReader {

    private static final Logger LOG = LoggerFactory.getLogger(FedDocumentReader.class);

    static final String ACCEPTED_FR = "Formats acceptés : JSON, XML, PDF, DOCX, ODT, texte.";

    /**
     * Resource limits. Defaults: 10 MiB document, 1 Mi characters of text, 1 000 zip entries, 100 MiB
     * uncompressed, ratio 100 (POI's own default threshold) above 1 MiB, nesting 32, 1 000 form fields,
     * 25 MiB mail, 200 MIME parts, MIME nesting 10.
     */
    public record Limits(long maxDocumentBytes, long maxTextChars, int maxZipEntries, long maxZipUncompressedBytes,
                         double maxZipCompressionRatio, long minBombEntryBytes, int maxNestingDepth, int maxFormFields,
                         long maxMailBytes, int maxMimeParts, int maxMimeDepth) {

        public static Limits defaults() {
            return new Limits(10L << 20, 1L << 20, 1_000, 100L << 20, 100, 1L << 20, 32, 1_000,
                    25L << 20, 200, 10);
        }

        public Limits withMaxDocumentBytes(long v) {
            return new Limits(v, maxTextChars, maxZipEntries, maxZipUncompressedBytes, maxZipCompressionRatio,
                    minBombEntryBytes, maxNestingDepth, maxFormFields, maxMailBytes, maxMimeParts, maxMimeDepth);
        }

        public Limits withMaxTextChars(long v) {
            return new Limits(maxDocumentBytes, v, maxZipEntries, maxZipUncompressedBytes, maxZipCompressionRatio,
                    minBombEntryBytes, maxNestingDepth, maxFormFields, maxMailBytes, maxMimeParts, maxMimeDepth);
        }

        public Limits withMaxMailBytes(long v) {
            return new Limits(maxDocumentBytes, maxTextChars, maxZipEntries, maxZipUncompressedBytes,
                    maxZipCompressionRatio, minBombEntryBytes, maxNestingDepth, maxFormFields, v, maxMimeParts,
                    maxMimeDepth);
        }
    }

    /** The kinds of document understood, decided from the content. */
    enum Kind { JSON, XML, HTML, TEXT, PDF, DOCX, ODT }

    private static final MimeTypes MIME_TYPES = MimeTypes.getDefaultMimeTypes();
    private static final MediaTypeRegistry REGISTRY = MIME_TYPES.getMediaTypeRegistry();

    private final Limits limits;
    private final StructuredFedReader structured;
    private final LabelTextParser labels = new LabelTextParser();

    public FedDocumentReader() {
        this(Limits.defaults());
    }

    public FedDocumentReader(Limits limits) {
        this.limits = limits;
        this.structured = new StructuredFedReader(limits);
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Reads one document.
     *
     * @param content             the bytes as received
     * @param fileName            the name given by the sender, a hint only (may be null)
     * @param declaredContentType the type declared by the sender, a hint only (may be null)
     */
    public Feuillet1 read(byte[] content, String fileName, String declaredContentType) throws FedReadException {
        if (content == null || content.length == 0) {
            throw new FedReadException(Code.NO_FED_FOUND, "Le document joint est vide.", "empty document");
        }
        if (content.length > limits.maxDocumentBytes()) {
            throw new FedReadException(Code.TOO_LARGE,
                    "Le document joint est trop volumineux (" + mib(content.length) + ", maximum "
                            + mib(limits.maxDocumentBytes()) + ").",
                    "document of " + content.length + " bytes > " + limits.maxDocumentBytes());
        }
        Kind kind = detect(content, fileName, declaredContentType);
        LOG.debug("FED document {} ({} bytes, declared {}) read as {}", fileName, content.length, declaredContentType, kind);
        try {
            return switch (kind) {
                case JSON -> structured.readJson(content);
                case XML -> structured.readXml(content);
                case PDF -> readPdf(content);
                case DOCX -> labels.parse(tikaText(new OOXMLParser(), content, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
                case ODT -> labels.parse(tikaText(new OpenDocumentParser(), content, "application/vnd.oasis.opendocument.text"));
                case HTML -> labels.parse(htmlToText(content, null));
                case TEXT -> labels.parse(checkedText(decodeText(content)));
            };
        } catch (FedReadException e) {
            throw e;
        } catch (StackOverflowError e) {
            // deeply nested structures in a hostile PDF/Office file: the thread recovers once the stack unwinds
            throw new FedReadException(Code.UNREADABLE, "Le document joint est trop complexe pour être lu.",
                    "stack overflow reading " + kind, e);
        } catch (RuntimeException | LinkageError e) {
            throw new FedReadException(Code.UNREADABLE, "Le document joint ne peut pas être lu (" + kind.name() + ").",
                    "unexpected failure reading " + kind + ": " + e, e);
        }
    }

    /** The kind of the content; throws UNSUPPORTED_TYPE for anything not accepted. */
    Kind detect(byte[] content, String fileName, String declaredContentType) throws FedReadException {
        if (plainJson(content)) {
            return Kind.JSON;
        }
        MediaType type = detectMediaType(content, fileName, declaredContentType);
        MediaType base = type.getBaseType();
        String t = base.toString();
        if (t.equals("application/pdf")) {
            return Kind.PDF;
        }
        if (ZipGuard.looksLikeZip(content)) {
            // checked before anything opens it; the entries, not the name, tell DOCX from ODT from other zips
            ZipGuard.Contents zip = ZipGuard.scan(content, limits);
            if (zip.isDocx()) {
                return Kind.DOCX;
            }
            if (zip.isOdt()) {
                return Kind.ODT;
            }
            throw unsupported(t.equals("application/octet-stream") ? "application/zip" : t);
        }
        if (t.equals("text/html") || t.equals("application/xhtml+xml")) {
            return Kind.HTML;
        }
        boolean xml = REGISTRY.isSpecializationOf(base, MediaType.APPLICATION_XML) || t.equals("application/xml");
        boolean text = t.startsWith("text/") || t.equals("application/json")
                || REGISTRY.isSpecializationOf(base, MediaType.TEXT_PLAIN);
        if (!xml && !text) {
            throw unsupported(t);
        }
        // Tika says "text": the first significant character tells JSON, XML, HTML from a label layout
        int i = 0;
        if (content.length >= 3 && (content[0] & 0xFF) == 0xEF && (content[1] & 0xFF) == 0xBB && (content[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        while (i < content.length && Character.isWhitespace(content[i])) {
            i++;
        }
        char first = i < content.length ? (char) content[i] : ' ';
        if (first == '{' || first == '[') {
            return Kind.JSON;
        }
        if (first == '<') {
            String head = new String(content, i, Math.min(512, content.length - i), StandardCharsets.ISO_8859_1)
                    .toLowerCase(Locale.ROOT);
            if (head.startsWith("<!doctype html") || head.contains("<html") || head.contains("<body")) {
                return Kind.HTML;
            }
            return Kind.XML;
        }
        if (xml) {
            return Kind.XML;
        }
        return Kind.TEXT;
    }

    /**
     * The common case without Tika's magic-byte scan (the costliest step of reading a JSON FED): content whose first
     * significant character is '{' not followed by a backslash (RTF), whose first 8 KiB hold no control byte (other
     * than tab, line feed, form feed, carriage return) and whose first 1 KiB holds neither '<' nor '%' — so that no
     * rule of Tika's that could tell it apart from text (PDF marker near the start, HTML/XML tags, RTF) can match.
     * Tika would call such content text and the first character would make it JSON below; anything else goes
     * through Tika as before.
     */
    static boolean plainJson(byte[] content) {
        int i = 0;
        if (content.length >= 3 && (content[0] & 0xFF) == 0xEF && (content[1] & 0xFF) == 0xBB
                && (content[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        while (i < content.length && (content[i] == ' ' || content[i] == '\t' || content[i] == '\n'
                || content[i] == '\r' || content[i] == '\f')) {
            i++;
        }
        if (i >= content.length || content[i] != '{'
                || i + 1 < content.length && content[i + 1] == '\\') {
            return false;
        }
        int end = Math.min(content.length, 8192);
        for (int k = 0; k < end; k++) {
            int b = content[k] & 0xFF;
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' || b == 0x7F) {
                return false;
            }
            if (k < 1024 && (b == '<' || b == '%')) {
                return false;
            }
        }
        return true;
    }

    private static MediaType detectMediaType(byte[] content, String fileName, String declared) throws FedReadException {
        Metadata md = new Metadata();
        if (fileName != null) {
            md.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        }
        if (declared != null) {
            md.set(Metadata.CONTENT_TYPE, declared);
        }
        try (InputStream in = new ByteArrayInputStream(content)) {
            return MIME_TYPES.detect(in, md);
        } catch (IOException | RuntimeException e) {
            throw new FedReadException(Code.UNREADABLE, "Le type du document joint n'a pas pu être déterminé.",
                    "type detection failed: " + e, e);
        }
    }

    static FedReadException unsupported(String type) {
        return new FedReadException(Code.UNSUPPORTED_TYPE,
                "Le document joint n'est pas d'un type accepté (" + type + "). " + ACCEPTED_FR,
                "unsupported type " + type);
    }

    // ---------------------------------------------------------------- PDF

    private Feuillet1 readPdf(byte[] content) throws FedReadException {
        // a PDF cut in transit has no %%EOF near its end; PDFBox would silently rebuild a partial document
        if (!tailContains(content, "%%EOF", 1024)) {
            throw new FedReadException(Code.MALFORMED_PDF,
                    "Le fichier PDF est incomplet ou tronqué (marque de fin absente). Merci de le renvoyer.",
                    "PDF without %%EOF in its last 1024 bytes");
        }
        try (PDDocument doc = Loader.loadPDF(content, "", null, null,
                MemoryUsageSetting.setupMainMemoryOnly(limits.maxZipUncompressedBytes()).streamCache)) {
            FedDraft form = PdfFormReader.read(doc, limits.maxFormFields());
            if (form != null && form.filledFields() >= 2) {
                return form.toFeuillet1();
            }
            PDFTextStripper stripper = new PDFTextStripper();
            LimitedWriter out = new LimitedWriter(limits.maxTextChars());
            stripper.writeText(doc, out);
            return labels.parse(out.toString());
        } catch (InvalidPasswordException e) {
            throw new FedReadException(Code.UNREADABLE,
                    "Le fichier PDF est protégé par un mot de passe et ne peut pas être lu.", "encrypted PDF", e);
        } catch (LimitedWriter.LimitReached e) {
            throw textTooLarge();
        } catch (IOException e) {
            throw new FedReadException(Code.MALFORMED_PDF,
                    "Le fichier PDF est endommagé et ne peut pas être lu.", "malformed PDF: " + e, e);
        }
    }

    private static boolean tailContains(byte[] b, String marker, int window) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int i = b.length - m.length; i >= Math.max(0, b.length - window); i--) {
            if (Arrays.equals(b, i, i + m.length, m, 0, m.length)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- Tika text

    private String tikaText(Parser parser, byte[] content, String type) throws FedReadException {
        BodyContentHandler handler = new BodyContentHandler((int) Math.min(Integer.MAX_VALUE, limits.maxTextChars()));
        Metadata md = new Metadata();
        md.set(Metadata.CONTENT_TYPE, type);
        ParseContext ctx = new ParseContext();
        ctx.set(EmbeddedDocumentExtractor.class, NO_EMBEDDED);
        try (InputStream in = new ByteArrayInputStream(content)) {
            parser.parse(in, handler, md, ctx);
            return handler.toString();
        } catch (SAXException e) {
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                throw textTooLarge();
            }
            throw unreadable(type, e);
        } catch (EncryptedDocumentException e) {
            throw new FedReadException(Code.UNREADABLE,
                    "Le document joint est protégé par un mot de passe et ne peut pas être lu.", "encrypted " + type, e);
        } catch (TikaException | IOException e) {
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                throw textTooLarge();
            }
            throw unreadable(type, e);
        }
    }

    /** Embedded objects (images, OLE) carry no FED fields; not parsing them removes a whole attack surface. */
    private static final EmbeddedDocumentExtractor NO_EMBEDDED = new EmbeddedDocumentExtractor() {
        @Override
        public boolean shouldParseEmbedded(Metadata metadata) {
            return false;
        }

        @Override
        public void parseEmbedded(InputStream stream, ContentHandler handler, Metadata metadata, boolean outputHtml) {
            // never called: shouldParseEmbedded is false
        }
    };

    private static FedReadException unreadable(String type, Exception e) {
        return new FedReadException(Code.UNREADABLE, "Le document joint est endommagé et ne peut pas être lu.",
                "cannot extract text from " + type + ": " + e, e);
    }

    private FedReadException textTooLarge() {
        return new FedReadException(Code.TOO_LARGE,
                "Le texte du document joint est trop long pour un formulaire FED (plus de "
                        + limits.maxTextChars() / 1024 + " Kio de texte).",
                "extracted text over " + limits.maxTextChars() + " chars");
    }

    /** HTML (document or mail body) to text with line breaks at block elements, through Tika's HTML parser. */
    String htmlToText(byte[] html, Charset charset) throws FedReadException {
        String type = "text/html" + (charset == null ? "" : "; charset=" + charset.name());
        return tikaText(new JSoupParser(), html, type);
    }

    /** Parses a text already extracted (mail body) with the label parser, under the text limit. */
    Feuillet1 parseText(String text) throws FedReadException {
        return labels.parse(checkedText(text));
    }

    private String checkedText(String text) throws FedReadException {
        if (text != null && text.length() > limits.maxTextChars()) {
            throw textTooLarge();
        }
        return text;
    }

    /** BOM, then strict UTF-8, else Windows-1252 (the superset of ISO-8859-1 that French mailers produce). */
    static String decodeText(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
            return new String(b, 2, b.length - 2, StandardCharsets.UTF_16BE);
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
            return new String(b, 2, b.length - 2, StandardCharsets.UTF_16LE);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString()
                    .replace("\uFEFF", "");
        } catch (CharacterCodingException notUtf8) {
            return new String(b, Charset.forName("windows-1252"));
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.FRANCE, "%.1f Mio", bytes / (1024.0 * 1024.0));
    }

    /** A writer that refuses to grow past a limit, so that a huge PDF text never sits in memory. */
    static final class LimitedWriter extends Writer {
        static final class LimitReached extends IOException {
            LimitReached() {
                super("text limit reached");
            }
        }

        private final StringBuilder sb = new StringBuilder();
        private final long max;

        LimitedWriter(long max) {
            this.max = max;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            if (sb.length() + (long) len > max) {
                throw new LimitReached();
            }
            sb.append(cbuf, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
