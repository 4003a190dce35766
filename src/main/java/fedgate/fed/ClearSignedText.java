package fedgate.fed;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A mail body framed as an OpenPGP cleartext signature (RFC 4880 § 7, {@code gpg --clearsign}, "inline PGP"): the
 * text that was signed, in the form its signature covers, and the armored signature. Only read here, never verified
 * (the intake verifies it against the partner's pinned key). The framing must be the whole body: text before the
 * {@code BEGIN PGP SIGNED MESSAGE} line or after the signature is not signed, and is a {@link #problem()} — the
 * request is then refused, never read with unsigned text in it.
 *
 * @param signed    the signed text as its signature covers it: dash-escaping removed, trailing spaces and tabs of
 *                  each line removed, lines joined by CRLF, no line ending after the last one (bytes as received)
 * @param signature the armored signature block
 * @param text      the signed text to read the request from (lines as written, joined by LF)
 * @param problem   null, or why the framing is refused (French, for the referent)
 */
public record ClearSignedText(byte[] signed, byte[] signature, String text, String problem) {

    static final String BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----";
    private static final String SIGNATURE_BEGIN = "-----BEGIN PGP SIGNATURE-----";
    private static final String SIGNATURE_END = "-----END PGP SIGNATURE-----";

    /**
     * The cleartext signature framing of a body ({@code bytes} after transfer decoding, in {@code charset}, null when
     * unknown); null when the body does not hold one.
     */
    static ClearSignedText find(byte[] bytes, Charset charset) {
        // one char per byte: the signed bytes are kept exactly as received, whatever the charset
        String body = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!body.contains(BEGIN)) {
            return null;
        }
        List<String> lines = List.of(body.split("\r\n|\r|\n", -1));
        int i = 0;
        while (i < lines.size() && lines.get(i).isBlank()) {
            i++;
        }
        if (i == lines.size() || !lines.get(i).stripTrailing().equals(BEGIN)) {
            return refused("du texte non signé précède le message signé");
        }
        // armor headers ("Hash: SHA256"), then an empty line
        for (i++; i < lines.size() && !lines.get(i).isBlank(); i++) {
            if (!lines.get(i).startsWith("Hash:")) {
                return refused("l'en-tête du message signé est inattendu");
            }
        }
        List<String> signed = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).stripTrailing().equals(SIGNATURE_BEGIN); i++) {
            String line = lines.get(i);
            if (line.startsWith("- ")) {
                signed.add(line.substring(2));
            } else if (line.startsWith("-")) {
                return refused("une ligne du texte signé commence par un tiret sans être protégée");
            } else {
                signed.add(line);
            }
        }
        if (i >= lines.size()) {
            return refused("la signature du message signé est absente");
        }
        StringBuilder signature = new StringBuilder();
        for (; i < lines.size(); i++) {
            signature.append(lines.get(i)).append('\n');
            if (lines.get(i).stripTrailing().equals(SIGNATURE_END)) {
                break;
            }
        }
        if (i >= lines.size()) {
            return refused("la signature du message signé est incomplète");
        }
        for (i++; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                return refused("du texte non signé suit le message signé");
            }
        }
        List<String> canonical = signed.stream().map(ClearSignedText::stripSpacesAndTabs).toList();
        byte[] text = String.join("\n", signed).getBytes(StandardCharsets.ISO_8859_1);
        return new ClearSignedText(String.join("\r\n", canonical).getBytes(StandardCharsets.ISO_8859_1),
                signature.toString().getBytes(StandardCharsets.ISO_8859_1),
                charset == null ? FedDocumentReader.decodeText(text) : new String(text, charset), null);
    }

    private static ClearSignedText refused(String problem) {
        return new ClearSignedText(null, null, null, "Le message signé (« gpg --clearsign ») est mal formé : " + problem
                + " ; la signature ne peut couvrir que le texte entre « " + BEGIN + " » et la signature");
    }

    /** RFC 4880 § 7.1: trailing spaces and tabs are not part of a cleartext signature. */
    private static String stripSpacesAndTabs(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }
}
