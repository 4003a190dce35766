package fedgate.intake;

import fedgate.crypto.PgpException;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SignedData;
import fedgate.fed.ClearSignedText;
import fedgate.partner.Partner;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.ParseException;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The OpenPGP signature a request carries, checked against the partner's pinned key ({@code <partner
 * id>.pub.asc} in {@code fedgate.pgp.partner-keys-dir}, its fingerprint the registry's {@code pgpFingerprint}):
 * <ul>
 *   <li>SFTP and broker: the document itself is an inline-signed OpenPGP message ({@code gpg --sign}, armored or
 *   binary); the request is its signed content. One upload, one message: no signature that may come before or
 *   after the request.</li>
 *   <li>Mail: a PGP/MIME signed mail (RFC 3156, {@code multipart/signed; protocol="application/pgp-signature"}):
 *   the signature covers the first part exactly as it was received. Or a body signed with {@code gpg --clearsign};
 *   or the request attached as an inline-signed message, checked as an SFTP document.</li>
 * </ul>
 */
public final class RequestSignatures {

    /** Signed or not; when signed, the signed content and either the verified signer or the French refusal. */
    public record Check(boolean signed, byte[] content, String signerFingerprint, String refusal) {
        static Check unsigned(byte[] raw) {
            return new Check(false, raw, null, null);
        }
    }

    private final Path partnerKeysDir;
    private final Clock clock;
    private final long maxBytes;

    public RequestSignatures(Path partnerKeysDir, Clock clock, long maxBytes) {
        this.partnerKeysDir = partnerKeysDir;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    /**
     * A document received by SFTP or broker: an inline-signed message is verified and unwrapped; a detached signature
     * alone (a {@code .sig} or {@code .asc} uploaded next to the request) is refused with a reason saying so.
     */
    public Check document(byte[] raw, Partner partner) {
        if (SignedData.isDetachedSignature(raw)) {
            return new Check(true, raw, null, "le fichier reçu est une signature OpenPGP détachée, sans la demande "
                    + "qu'elle signe ; la demande et sa signature doivent former un seul fichier (« gpg --sign »)");
        }
        if (!SignedData.isOpenPgpMessage(raw)) {
            return Check.unsigned(raw);
        }
        KeyOrRefusal key = key(partner);
        SignedData.Verification v = SignedData.inline(raw, key.ring, clock, maxBytes);
        return key.checked(v, v.content() == null ? raw : v.content());
    }

    /** A mail: when it is PGP/MIME signed, the signature of its first part is verified (the mail is read whole). */
    public Check mail(byte[] raw, Partner partner) {
        Optional<byte[][]> parts;
        try {
            parts = pgpMimeParts(raw);
        } catch (IOException | MessagingException | RuntimeException e) {
            return new Check(true, raw, null, "La structure PGP/MIME du message signé est illisible");
        }
        if (parts.isEmpty()) {
            return Check.unsigned(raw);
        }
        KeyOrRefusal key = key(partner);
        return key.checked(SignedData.detached(parts.get()[0], parts.get()[1], key.ring, clock), raw);
    }

    /**
     * A mail whose body is an OpenPGP cleartext signature ({@code gpg --clearsign}): the signature of its text is
     * verified; a framing with unsigned text around it is refused.
     */
    public Check clearSigned(ClearSignedText body, Partner partner) {
        if (body.problem() != null) {
            return new Check(true, null, null, body.problem());
        }
        KeyOrRefusal key = key(partner);
        return key.checked(SignedData.detached(body.signed(), body.signature(), key.ring, clock), body.signed());
    }

    private record KeyOrRefusal(PGPPublicKeyRing ring, String refusal) {
        /** A signed request's check: refused when {@code v} failed, first for want of a key when that is why. */
        Check checked(SignedData.Verification v, byte[] content) {
            return new Check(true, content, v.signerFingerprint(),
                    v.valid() ? null : refusal != null ? refusal : v.reason());
        }
    }

    private KeyOrRefusal key(Partner partner) {
        if (partner == null) {
            return new KeyOrRefusal(null, "L'expéditeur n'étant pas un partenaire identifié, sa signature OpenPGP "
                    + "ne peut pas être vérifiée");
        }
        // the registry's id is a safe name (Partner.ID_PATTERN), never anything the sender wrote
        Path file = partnerKeysDir.resolve(partner.id() + ".pub.asc");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return new KeyOrRefusal(null, "Aucune clé OpenPGP publique n'est enregistrée pour " + partner.name()
                    + " : la signature ne peut pas être vérifiée");
        }
        try {
            return new KeyOrRefusal(PgpKeys.checkedSigner("du référent de " + partner.name(),
                    PgpKeys.readPublicKeyRing(file), partner.pgpFingerprint(), clock.instant()), null);
        } catch (PgpException e) {
            return new KeyOrRefusal(null, e.reason());
        } catch (IOException e) {
            return new KeyOrRefusal(null, "La clé OpenPGP enregistrée pour " + partner.name() + " est illisible");
        }
    }

    /**
     * The signed first part (bytes exactly as received, between the first delimiter line and the CRLF before the
     * second) and the decoded signature of a top-level {@code multipart/signed} PGP/MIME mail; empty for any other.
     */
    static Optional<byte[][]> pgpMimeParts(byte[] raw) throws IOException, MessagingException {
        InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(raw));
        String type = headers.getHeader("Content-Type", null);
        if (type == null) {
            return Optional.empty();
        }
        ContentType ct;
        try {
            ct = new ContentType(type);
        } catch (ParseException e) {
            return Optional.empty();
        }
        if (!ct.match("multipart/signed") || !"application/pgp-signature".equalsIgnoreCase(ct.getParameter("protocol"))) {
            return Optional.empty();
        }
        String boundary = ct.getParameter("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new MessagingException("multipart/signed without a valid boundary");
        }
        int body = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (body < 0) {
            throw new MessagingException("no body");
        }
        body += 4;
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        byte[] lineDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int first = startsWith(raw, body, delimiter) ? body : indexOf(raw, lineDelimiter, body - 2);
        if (first < 0) {
            throw new MessagingException("first delimiter missing");
        }
        if (first != body) {
            first += 2;
        }
        int partStart = indexOf(raw, "\r\n".getBytes(StandardCharsets.US_ASCII), first) + 2;
        int second = indexOf(raw, lineDelimiter, partStart);
        if (partStart < 2 || second < 0) {
            throw new MessagingException("second delimiter missing");
        }
        int sigStart = indexOf(raw, "\r\n".getBytes(StandardCharsets.US_ASCII), second + 2) + 2;
        int third = indexOf(raw, lineDelimiter, sigStart);
        if (sigStart < 2 || third < 0) {
            throw new MessagingException("closing delimiter missing");
        }
        byte[] signed = java.util.Arrays.copyOfRange(raw, partStart, second);
        MimeBodyPart signaturePart = new MimeBodyPart(new ByteArrayInputStream(raw, sigStart, third - sigStart));
        if (!signaturePart.isMimeType("application/pgp-signature")) {
            throw new MessagingException("second part is not application/pgp-signature");
        }
        byte[] signature;
        try (var in = signaturePart.getInputStream()) {
            signature = in.readNBytes(64 * 1024);
        }
        return Optional.of(new byte[][]{signed, signature});
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        return data.length - at >= prefix.length && java.util.Arrays.equals(data, at, at + prefix.length, prefix, 0,
                prefix.length);
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
