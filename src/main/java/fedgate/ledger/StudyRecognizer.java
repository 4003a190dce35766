package fedgate.ledger;

import fedgate.partner.Channel;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells a copy of a study (Art. 3) from a FED request, before the FED reader sees the input (it would reject a
 * study as "not a FED"):
 * <ul>
 * <li>SFTP: a file named {@code etude-FED-YYYY-NNNNNN.<ext>} in a partner's inbox;</li>
 * <li>mail: at least one attachment, a request id in the subject or the body, and either "étude" in the subject
 * or an open obligation for that request — a reply to a reminder ("Re: Rappel … étude … FED-…") qualifies.</li>
 * </ul>
 * Anything else is left to the FED intake. Recognising is not accepting: the sender, the request and its obligation
 * are checked by {@link ObligationService#receive}.
 */
public final class StudyRecognizer {

    public static final Pattern REQUEST_ID = Pattern.compile("FED-\\d{4}-\\d{6}");
    /** The SFTP inbox name of a study; the extension is free (pdf, docx, odt…) but plain. */
    public static final Pattern SFTP_NAME = Pattern.compile("(?i:[eé]tude)-(FED-\\d{4}-\\d{6})\\.([A-Za-z0-9]{1,10})");
    private static final int MAX_PARTS = 100;
    private static final int MAX_DEPTH = 10;
    private static final int MAX_BODY_CHARS = 200_000;

    private static final Properties SESSION_PROPERTIES = new Properties();

    static {
        SESSION_PROPERTIES.setProperty("mail.mime.decodefilename", "true");
        SESSION_PROPERTIES.setProperty("mail.mime.decodeparameters", "true");
        SESSION_PROPERTIES.setProperty("mail.mime.address.strict", "false");
    }

    /** One session for every mail read (making one scans the class path for mail providers). */
    private static final Session SESSION = Session.getInstance(SESSION_PROPERTIES);

    private final Predicate<String> openObligation;
    private final long maxDocumentBytes;

    /**
     * @param openObligation   whether a request id has an open study obligation
     * @param maxDocumentBytes attachments larger than this are not read (the study is then refused as too large)
     */
    public StudyRecognizer(Predicate<String> openObligation, long maxDocumentBytes) {
        this.openObligation = openObligation;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    /** An SFTP drop: a study when the file name is {@code etude-FED-…}. */
    public Optional<StudySubmission> sftp(String partner, String fileName, byte[] raw, Instant at) {
        if (fileName == null) {
            return Optional.empty();
        }
        Matcher m = SFTP_NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new StudySubmission(Channel.SFTP, partner, partner, m.group(1), fileName, raw, raw,
                fileName, at));
    }

    /** A mail (raw RFC 822): a study when it names a request, carries an attachment and says so (see above). */
    public Optional<StudySubmission> mail(byte[] raw, Instant at) {
        MimeMessage msg;
        Walk w = new Walk();
        String subject;
        String from = null;
        String messageId;
        try {
            msg = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
            subject = msg.getSubject();
            messageId = msg.getMessageID();
            Address[] addresses = msg.getFrom();
            if (addresses != null && addresses.length == 1 && addresses[0] instanceof InternetAddress ia) {
                from = ia.getAddress();
            }
            walk(msg, 0, w);
        } catch (MessagingException | IOException | RuntimeException e) {
            return Optional.empty(); // the FED intake reads it and says what is wrong with it
        }
        if (w.tooComplex || w.attachments.isEmpty()) {
            return Optional.empty();
        }
        String named = firstId(subject).or(() -> firstId(w.body)).orElse(null);
        if (named == null) {
            return Optional.empty();
        }
        boolean saysStudy = fold(subject).contains("etude") || fold(subject).contains("study");
        if (!saysStudy && !openObligation.test(named)) {
            return Optional.empty();
        }
        Attachment doc = null;
        for (Attachment a : w.attachments) {
            if (!a.signature() && (doc == null || a.size > doc.size)) {
                doc = a;
            }
        }
        return Optional.of(new StudySubmission(Channel.MAIL, from, null, named, doc == null ? null : doc.name,
                doc == null ? null : doc.bytes, raw, messageId, at));
    }

    private record Attachment(String name, String contentType, byte[] bytes, long size) {
        boolean signature() {
            String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
            String t = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
            return n.endsWith(".asc") || n.endsWith(".sig") || n.endsWith(".p7s") || t.contains("signature");
        }
    }

    private static final class Walk {
        final List<Attachment> attachments = new ArrayList<>();
        String body;
        int parts;
        boolean tooComplex;
    }

    private void walk(Part p, int depth, Walk w) throws MessagingException, IOException {
        if (++w.parts > MAX_PARTS || depth > MAX_DEPTH) {
            w.tooComplex = true;
            return;
        }
        if (p.isMimeType("multipart/*")) {
            Object content = p.getContent();
            if (content instanceof Multipart mp) {
                for (int i = 0; i < mp.getCount() && !w.tooComplex; i++) {
                    BodyPart b = mp.getBodyPart(i);
                    walk(b, depth + 1, w);
                }
            }
            return;
        }
        String name = p.getFileName();
        boolean attachment = name != null || Part.ATTACHMENT.equalsIgnoreCase(p.getDisposition());
        if (attachment && !p.isMimeType("message/rfc822")) {
            byte[] bytes = readBounded(p);
            w.attachments.add(new Attachment(name, p.getContentType(), bytes,
                    bytes == null ? Long.MAX_VALUE : bytes.length));
        } else if (w.body == null && p.isMimeType("text/plain")) {
            Object c = p.getContent();
            String s = c instanceof String str ? str : null;
            w.body = s == null ? null : s.length() > MAX_BODY_CHARS ? s.substring(0, MAX_BODY_CHARS) : s;
        } else if (w.body == null && p.isMimeType("text/html")) {
            Object c = p.getContent();
            if (c instanceof String str) {
                String s = str.replaceAll("<[^>]{0,2000}>", " ");
                w.body = s.length() > MAX_BODY_CHARS ? s.substring(0, MAX_BODY_CHARS) : s;
            }
        }
    }

    /** The attachment's decoded bytes; null when larger than the limit. */
    private byte[] readBounded(Part p) throws MessagingException, IOException {
        try (InputStream in = p.getInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxDocumentBytes + 1));
            return b.length > maxDocumentBytes ? null : b;
        }
    }

    private static Optional<String> firstId(String s) {
        if (s == null) {
            return Optional.empty();
        }
        Matcher m = REQUEST_ID.matcher(s);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    private static String fold(String s) {
        if (s == null) {
            return "";
        }
        return Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }
}
