package fedgate.fed;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The cleartext signature framing of a mail body (RFC 4880 § 7): what is signed, and what is refused around it. */
class ClearSignedTextTest {

    private static final String SIGNATURE = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n"
            + "-----END PGP SIGNATURE-----\n";

    private static ClearSignedText find(String body) {
        return ClearSignedText.find(body.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Test
    void theSignedTextIsDashUnescapedWithoutTrailingBlanksAndJoinedByCrlf() {
        ClearSignedText c = find("\r\n-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\n"
                + "Organisme demandeur : Ville de Rouen  \r\n- -- une ligne qui commençait par un tiret\r\n"
                + "Étude : précarité\t\r\n" + SIGNATURE.replace("\n", "\r\n") + "\r\n");
        assertThat(c.problem()).isNull();
        assertThat(new String(c.signed(), StandardCharsets.UTF_8)).isEqualTo("Organisme demandeur : Ville de Rouen\r\n"
                + "-- une ligne qui commençait par un tiret\r\nÉtude : précarité");
        assertThat(c.text()).isEqualTo("Organisme demandeur : Ville de Rouen  \n"
                + "-- une ligne qui commençait par un tiret\nÉtude : précarité\t");
        assertThat(new String(c.signature(), StandardCharsets.US_ASCII)).startsWith("-----BEGIN PGP SIGNATURE-----")
                .contains("-----END PGP SIGNATURE-----");
    }

    @Test
    void theBytesSignedAreKeptAsReceivedInTheMailsCharset() {
        byte[] latin1 = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nÉtude : précarité\n" + SIGNATURE)
                .getBytes(StandardCharsets.ISO_8859_1);
        ClearSignedText c = ClearSignedText.find(latin1, StandardCharsets.ISO_8859_1);
        assertThat(c.signed()).isEqualTo("Étude : précarité".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(c.text()).isEqualTo("Étude : précarité");
    }

    @Test
    void unsignedTextBeforeOrAfterTheSignedMessageIsRefused() {
        String signed = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nÉtude : précarité\n" + SIGNATURE;
        assertThat(find("Indicateurs : ALLOC\n" + signed).problem()).contains("du texte non signé précède");
        assertThat(find(signed + "\nIndicateurs : ALLOC\n").problem()).contains("du texte non signé suit");
        assertThat(find(signed.replace("Étude", "-Étude")).problem()).contains("tiret");
        assertThat(find(signed.replace("Hash: SHA256", "Charset: UTF-8")).problem()).contains("en-tête");
        assertThat(find(signed.substring(0, signed.indexOf("-----BEGIN PGP SIGNATURE")))
                .problem()).contains("signature du message signé est absente");
        assertThat(find(signed.replace("-----END PGP SIGNATURE-----\n", "")).problem()).contains("incomplète");
    }

    @Test
    void aBodyWithoutTheFramingIsNotClearSigned() {
        assertThat(find("Organisme demandeur : Ville de Rouen\nÉtude : précarité\n")).isNull();
    }
}
