package fedgate.fed;

import fedgate.crypto.SignedData;
import fedgate.fed.FedReadException.Code;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a FED request sent by email (Art. 5.3: "par courrier"): the form as an attachment (any format of
 * {@link FedDocumentReader}) or laid out in the body. Attachments are tried first, in order, the first that
 * yields a FED wins; then the body (text/plain preferred over HTML in multipart/alternative), including
 * inline forwards; a forwarded message attached as message/rfc822 is searched the same way, recursively.
 */
public final class MailFedReader {

    private static final Logger LOG = LoggerFactory.getLogger(MailFedReader.class);

    /**
     * A request found in a mail. {@code foundIn} is "attachment:&lt;name&gt;" or "body". {@code clearSigned}: the
     * body is an OpenPGP cleartext signature (the request was then read from the signed text alone), else null.
     * {@code signedAttachment}: an attachment is an inline-signed OpenPGP message ({@code gpg --sign}), which the
     * request is to be read from once its signature is checked; {@code draft} is then null.
     */
    public record FedMail(String messageId, String fromAddress, String fromName, String subject, Feuillet1 draft,
                          String foundIn, List<Attachment> attachments, ClearSignedText clearSigned,
                          SignedAttachment signedAttachment) {
        public FedMail {
            attachments = List.copyOf(attachments);
        }
    }

    /**
     * An attachment that is an OpenPGP message, as received. {@code innerName} is its name without the {@code .gpg},
     * {@code .pgp} or {@code .asc} that {@code gpg --sign} adds (a hint to the document's type, nothing else).
     */
    public record SignedAttachment(String name, String innerName, byte[] raw) {
    }

    /**
     * An attachment seen in the mail, for the logs and the quarantine record.
     *
     * @param outcome "used", "not tried", or the {@link Code} that made it unusable
     */
    public record Attachment(String name, String contentType, long size, String outcome) {
    }

    private static final Properties SESSION_PROPERTIES = new Properties();

    static {
        // RFC 2047 encoded file names ("=?UTF-8?Q?FED_Rouen.pdf?=") are common from French mailers
        SESSION_PROPERTIES.setProperty("mail.mime.decodefilename", "true");
        SESSION_PROPERTIES.setProperty("mail.mime.decodeparameters", "true");
        SESSION_PROPERTIES.setProperty("mail.mime.address.strict", "false");
    }

    /** One session for every mail read: making one scans the class path for mail providers (JFR: 5 % of mail intake). */
    private static final Session SESSION = Session.getInstance(SESSION_PROPERTIES);

    private final FedDocumentReader documents;
    private final FedDocumentReader.Limits limits;

    public MailFedReader(FedDocumentReader documents) {
        this.documents = documents;
        this.limits = documents.limits();
    }

    public MailFedReader() {
        this(new FedDocumentReader());
    }

    /** What the walk over the MIME tree collected. */
    private static final class Collected {
        final List<Part> attachmentParts = new ArrayList<>();
        /** Each attachment's decoded content once read (null until then), so that no attachment is decoded twice. */
        final List<byte[]> contents = new ArrayList<>();
        final List<Attachment> attachments = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();
        int parts;
        /** The mail's own body, when it is one text signed inline ({@code gpg --clearsign}). */
        ClearSignedText clearSigned;
    }

    public FedMail read(byte[] rfc822) throws FedReadException {
        if (rfc822 == null || rfc822.length == 0) {
            throw new FedReadException(Code.NO_FED_FOUND, "Le message reçu est vide.", "empty mail");
        }
        if (rfc822.length > limits.maxMailBytes()) {
            throw new FedReadException(Code.TOO_LARGE,
                    "Le message est trop volumineux (" + rfc822.length / (1024 * 1024) + " Mio, maximum "
                            + limits.maxMailBytes() / (1024 * 1024) + " Mio).",
                    "mail of " + rfc822.length + " bytes > " + limits.maxMailBytes());
        }
        try {
            MimeMessage msg = new MimeMessage(SESSION, new ByteArrayInputStream(rfc822));
            String messageId = msg.getMessageID();
            String fromAddress = null;
            String fromName = null;
            Address[] from = msg.getFrom();
            // Art. 5.1: one referent; a From naming several authors identifies no one (the first is not trusted)
            if (from != null && from.length == 1 && from[0] instanceof InternetAddress ia) {
                fromAddress = ia.getAddress();
                fromName = ia.getPersonal();
            }
            String subject = msg.getSubject();
            Collected c = new Collected();
            walk(msg, 0, c);
            // in a PGP/MIME mail the signature is the mail's; elsewhere a signed attachment carries the request
            SignedAttachment signed = baseType(msg).equals("multipart/signed") ? null : signedAttachment(c);
            if (signed != null) {
                return new FedMail(messageId, fromAddress, fromName, subject, null, "attachment:" + signed.name(),
                        c.attachments, null, signed);
            }
            Result r = find(c);
            return new FedMail(messageId, fromAddress, fromName, subject, r.draft, r.foundIn, c.attachments,
                    c.clearSigned, null);
        } catch (FedReadException e) {
            throw e;
        } catch (MessagingException | IOException e) {
            throw new FedReadException(Code.UNREADABLE, "Le message reçu est mal formé et ne peut pas être lu.",
                    "malformed mail: " + e, e);
        } catch (StackOverflowError e) {
            throw tooComplex("stack overflow walking MIME tree");
        } catch (RuntimeException e) {
            throw new FedReadException(Code.UNREADABLE, "Le message reçu ne peut pas être lu.",
                    "unexpected failure reading mail: " + e, e);
        }
    }

    private record Result(Feuillet1 draft, String foundIn) {
    }

    /**
     * The first attachment that is an inline-signed OpenPGP message, marked "used" (the others "not tried": the
     * request is the signed one, never an unsigned attachment beside it); null when there is none.
     */
    private SignedAttachment signedAttachment(Collected c) {
        for (int i = 0; i < c.attachmentParts.size(); i++) {
            Attachment a = c.attachments.get(i);
            byte[] bytes;
            try {
                bytes = content(c, i);
            } catch (FedReadException | MessagingException | IOException e) {
                continue; // too large or unreadable: reported as such when the attachments are read as documents
            }
            // a detached signature ("BEGIN PGP SIGNATURE", a bare signature packet) is not one: it signs nothing here
            if (SignedData.isOpenPgpMessage(bytes)) {
                c.attachments.set(i, new Attachment(a.name(), a.contentType(), bytes.length, "used"));
                String inner = a.name().replaceFirst("(?i)\\.(gpg|pgp|asc)$", "");
                return new SignedAttachment(a.name(), inner, bytes);
            }
        }
        return null;
    }

    /** The decoded content of attachment {@code i}, read on first use and kept. */
    private byte[] content(Collected c, int i) throws MessagingException, IOException, FedReadException {
        byte[] bytes = c.contents.get(i);
        if (bytes == null) {
            bytes = readBounded(c.attachmentParts.get(i), limits.maxDocumentBytes());
            c.contents.set(i, bytes);
        }
        return bytes;
    }

    private Result find(Collected c) throws FedReadException {
        FedReadException best = null;
        for (int i = 0; i < c.attachmentParts.size(); i++) {
            Attachment a = c.attachments.get(i);
            try {
                byte[] bytes = content(c, i);
                Feuillet1 f = documents.read(bytes, a.name(), a.contentType());
                c.attachments.set(i, new Attachment(a.name(), a.contentType(), bytes.length, "used"));
                return new Result(f, "attachment:" + a.name());
            } catch (FedReadException e) {
                LOG.info("attachment {} ({}) is not a FED: {}", a.name(), a.contentType(), e.getMessage());
                c.attachments.set(i, new Attachment(a.name(), a.contentType(), a.size(), e.code().name()));
                best = moreRelevant(best, e);
            } catch (MessagingException | IOException e) {
                c.attachments.set(i, new Attachment(a.name(), a.contentType(), a.size(), Code.UNREADABLE.name()));
                best = moreRelevant(best, new FedReadException(Code.UNREADABLE,
                        "La pièce jointe « " + a.name() + " » ne peut pas être lue.", "attachment: " + e, e));
            }
        }
        for (String body : c.bodies) {
            try {
                return new Result(documents.parseText(stripForwardHeaders(body)), "body");
            } catch (FedReadException e) {
                best = moreRelevant(best, e);
            }
        }
        if (best != null && best.code() != Code.NO_FED_FOUND) {
            throw best;
        }
        throw new FedReadException(Code.NO_FED_FOUND,
                "Aucun formulaire FED (feuillet n° 1) n'a été trouvé dans le message ni dans ses pièces jointes. "
                        + FedDocumentReader.ACCEPTED_FR,
                "no FED in " + c.attachments.size() + " attachment(s) and " + c.bodies.size() + " body part(s)");
    }

    /**
     * The error to report when nothing yields a FED: a hostile or damaged document says more to the partner
     * than "wrong type", which says more than "nothing found".
     */
    private static FedReadException moreRelevant(FedReadException current, FedReadException candidate) {
        if (current == null) {
            return candidate;
        }
        return rank(candidate.code()) > rank(current.code()) ? candidate : current;
    }

    private static int rank(Code code) {
        return switch (code) {
            case NO_FED_FOUND -> 0;
            case UNSUPPORTED_TYPE -> 1;
            default -> 2;
        };
    }

    private void walk(Part part, int depth, Collected c) throws MessagingException, IOException, FedReadException {
        if (depth > limits.maxMimeDepth()) {
            throw tooComplex("MIME nesting deeper than " + limits.maxMimeDepth());
        }
        if (++c.parts > limits.maxMimeParts()) {
            throw tooComplex("more than " + limits.maxMimeParts() + " MIME parts");
        }
        String type = baseType(part);
        String fileName = fileName(part);
        boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || fileName != null;
        if (type.startsWith("multipart/")) {
            Object content = part.getContent();
            if (!(content instanceof Multipart mp)) {
                return;
            }
            if (mp.getCount() > limits.maxMimeParts()) {
                throw tooComplex(mp.getCount() + " parts in one multipart");
            }
            if (type.equals("multipart/alternative")) {
                walkAlternative(mp, depth, c);
            } else {
                for (int i = 0; i < mp.getCount(); i++) {
                    walk(mp.getBodyPart(i), depth + 1, c);
                }
            }
        } else if (type.equals("message/rfc822")) {
            // a forwarded message as an attachment: its own attachments and body are searched in turn
            Object content = part.getContent();
            if (content instanceof MimeMessage inner) {
                walk(inner, depth + 1, c);
            }
        } else if (attachment && !(fileName == null && type.startsWith("text/"))) {
            String name = fileName == null ? "(sans nom)" : fileName;
            c.attachmentParts.add(part);
            c.contents.add(null);
            c.attachments.add(new Attachment(name, type, Math.max(part.getSize(), 0), "not tried"));
        } else if (type.equals("text/plain") || type.equals("text/html")) {
            byte[] raw = readBounded(part, limits.maxDocumentBytes());
            Charset charset = charset(part);
            if (depth == 0 && type.equals("text/plain")) {
                // the mail's body is one text signed inline ("gpg --clearsign"): the request is read from the signed
                // text alone; a framing with unsigned text around it is read as it is, and refused for its signature
                c.clearSigned = ClearSignedText.find(raw, charset);
                if (c.clearSigned != null && c.clearSigned.problem() == null) {
                    c.bodies.add(c.clearSigned.text());
                    return;
                }
            }
            String text = bodyText(raw, charset, type);
            if (text != null && !text.isBlank()) {
                c.bodies.add(text);
            }
        }
    }

    /** multipart/alternative: the plain text version when there is one, else the HTML (or whatever comes last). */
    private void walkAlternative(Multipart mp, int depth, Collected c)
            throws MessagingException, IOException, FedReadException {
        BodyPart chosen = null;
        for (int i = 0; i < mp.getCount(); i++) {
            BodyPart p = mp.getBodyPart(i);
            if (baseType(p).equals("text/plain")) {
                chosen = p;
                break;
            }
        }
        if (chosen != null) {
            walk(chosen, depth + 1, c);
            // a text/plain that turns out empty is no reason to ignore the HTML version
            if (!c.bodies.isEmpty()) {
                return;
            }
        }
        for (int i = mp.getCount() - 1; i >= 0; i--) {
            BodyPart p = mp.getBodyPart(i);
            if (p != chosen) {
                walk(p, depth + 1, c);
                return;
            }
        }
    }

    private String bodyText(byte[] raw, Charset charset, String type) throws FedReadException {
        if (type.equals("text/html")) {
            return documents.htmlToText(raw, charset);
        }
        if (charset == null) {
            return FedDocumentReader.decodeText(raw);
        }
        return new String(raw, charset);
    }

    private static Charset charset(Part part) {
        try {
            String cs = new ContentType(part.getContentType()).getParameter("charset");
            if (cs == null) {
                return null;
            }
            String javaName = MimeUtility.javaCharset(cs.strip());
            // ISO-8859-1 as labelled by French mailers is usually Windows-1252 (œ, €, ’): decode the superset
            if (javaName.equalsIgnoreCase("ISO-8859-1") || javaName.equalsIgnoreCase("ISO8859_1")) {
                return Charset.forName("windows-1252");
            }
            return Charset.forName(javaName);
        } catch (MessagingException | IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null; // unknown label: decodeText falls back on UTF-8 / Windows-1252 detection
        }
    }

    /** The decoded (base64 / quoted-printable) content of a part, refusing to read past the limit. */
    private byte[] readBounded(Part part, long max) throws MessagingException, IOException, FedReadException {
        try (InputStream in = part.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16 * 1024];
            long total = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                total += r;
                if (total > max) {
                    throw new FedReadException(Code.TOO_LARGE,
                            "Une pièce du message est trop volumineuse (maximum " + max / (1024 * 1024) + " Mio).",
                            "MIME part over " + max + " bytes");
                }
                out.write(buf, 0, r);
            }
            return out.toByteArray();
        }
    }

    private static String baseType(Part part) throws MessagingException {
        String ct = part.getContentType();
        if (ct == null) {
            return "text/plain";
        }
        try {
            return new ContentType(ct).getBaseType().toLowerCase(Locale.ROOT);
        } catch (ParseException e) {
            return "application/octet-stream";
        }
    }

    private static String fileName(Part part) {
        try {
            String name = part.getFileName();
            return name == null || name.isBlank() ? null : name.strip();
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    private static FedReadException tooComplex(String detail) {
        return new FedReadException(Code.TOO_COMPLEX,
                "Le message est trop complexe (trop de parties ou d'imbrications) et n'a pas été traité. "
                        + "Merci d'envoyer le formulaire FED en pièce jointe d'un message simple.",
                detail);
    }

    private static final Pattern FORWARD_MARKER = Pattern.compile(
            "^\\s*(?:-{2,}\\s*(?:Forwarded message|Message transf[ée]r[ée]|Original Message|Message d'origine)\\s*-{2,}"
                    + "|D[ée]but du message r[ée]exp[ée]di[ée]\\s*:?|Begin forwarded message\\s*:?)\\s*$",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern FORWARD_HEADER = Pattern.compile(
            "^\\s*(?:De|From|Envoy[ée]|Sent|Date|Objet|Subject|[ÀA]|To|Cc|R[ée]pondre [àa]|Reply-To)\\s*:.*$",
            Pattern.CASE_INSENSITIVE);

    /**
     * Removes inline-forward markers and the header block that follows each ("De : … Date : … Objet : …"):
     * its "Date :" is the mail's, not the form's.
     */
    static String stripForwardHeaders(String body) {
        Matcher m = FORWARD_MARKER.matcher(body);
        if (!m.find()) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        String[] lines = body.split("\\R", -1);
        boolean inHeaders = false;
        boolean headerSeen = false;
        for (String line : lines) {
            String unquoted = line.replaceFirst("^(?:\\s*>)+ ?", "");
            if (FORWARD_MARKER.matcher(unquoted).matches()) {
                inHeaders = true;
                headerSeen = false;
                continue;
            }
            if (inHeaders) {
                if (FORWARD_HEADER.matcher(unquoted).matches()) {
                    headerSeen = true;
                    continue;
                }
                if (unquoted.isBlank()) {
                    if (headerSeen) {
                        inHeaders = false;
                    }
                    continue;
                }
                inHeaders = false;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

}
